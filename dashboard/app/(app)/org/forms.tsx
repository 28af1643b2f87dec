'use client';
// Organisation forms: invitations, member roles, API token creation (the new token is shown once, here).
import { useActionState } from 'react';
import { Field, FormMessage, SubmitButton } from '@/app/ui/form';
import { idle } from '@/lib/form-state';
import { createTokenAction, inviteAction, memberAction } from './actions';

const ROLE_HELP: Record<string, string> = {
  owner: 'Owner — everything, including deleting the organisation',
  admin: 'Admin — manage members, sites and settings',
  developer: 'Developer — deploy, set env vars, read logs',
  viewer: 'Viewer — read only',
};

export function InviteForm({ org, canInviteOwners }: { org: string; canInviteOwners: boolean }) {
  const [state, action] = useActionState(inviteAction, idle);
  return (
    <form action={action} className="form" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="org" value={org} />
      <Field name="email" label="Email" type="email" state={state} autoComplete="off" required />
      <div className={`field${state.fieldErrors?.role ? ' field-invalid' : ''}`}>
        <label htmlFor="f-role">Role</label>
        <select id="f-role" name="role" key={state.values?.role ?? ''} defaultValue={state.values?.role ?? 'developer'}>
          {Object.entries(ROLE_HELP).filter(([r]) => canInviteOwners || r !== 'owner').map(([role, help]) => <option key={role} value={role}>{help}</option>)}
        </select>
        {state.fieldErrors?.role ? <p className="field-error">{state.fieldErrors.role}</p> : null}
      </div>
      <SubmitButton pendingText="Inviting…">Send invitation</SubmitButton>
    </form>
  );
}

export function MemberControls({ org, accountId, email, role, canManageOwners }: { org: string; accountId: string; email: string; role: string; canManageOwners: boolean }) {
  const [state, action] = useActionState(memberAction, idle);
  const id = `role-${accountId}`;
  const roles = Object.keys(ROLE_HELP).filter((r) => canManageOwners || r !== 'owner' || r === role);
  return (
    <form action={action} className="row-form">
      <input type="hidden" name="org" value={org} />
      <input type="hidden" name="accountId" value={accountId} />
      <input type="hidden" name="email" value={email} />
      <label htmlFor={id} className="sr-only">Role of {email}</label>
      <select id={id} name="role" defaultValue={role}>
        {roles.map((r) => <option key={r} value={r}>{r}</option>)}
      </select>
      <button type="submit" name="op" value="role" className="button button-secondary">Change<span className="sr-only"> role of {email}</span></button>
      <button type="submit" name="op" value="remove" className="button button-danger">Remove<span className="sr-only"> {email}</span></button>
      <FormMessage state={state} />
    </form>
  );
}

export function CreateTokenForm({ operator }: { operator: boolean }) {
  const [state, action] = useActionState(createTokenAction, idle);
  const scopes = [
    { value: 'read', label: 'read — view sites, deploys, logs and metrics; never a secret', checked: true },
    { value: 'secrets', label: 'secrets — read, plus env var values and database passwords', checked: false },
    { value: 'write', label: 'write — deploy and change things (includes secrets: it can run code in the site)', checked: true },
    ...(operator ? [{ value: 'admin', label: 'admin — the operator admin API', checked: false }] : []),
  ];
  const chosen = state.values?.scopes?.split(',');
  return (
    <form action={action} className="form" noValidate>
      <FormMessage state={state} />
      {state.secret ? (
        <div className="secret">
          <label htmlFor="new-token">Your new token</label>
          <input id="new-token" readOnly value={state.secret} onFocus={(e) => e.currentTarget.select()} data-testid="new-token" />
          <p className="hint">Use it with <code>paddock login --token</code> or as <code>PADDOCK_TOKEN</code>.</p>
        </div>
      ) : null}
      <Field name="name" label="Token name" state={state} autoComplete="off" required hint="Where it will be used, e.g. laptop or CI." />
      <fieldset key={state.values?.scopes ?? 'default'} className={`field${state.fieldErrors?.scopes ? ' field-invalid' : ''}`} aria-describedby={state.fieldErrors?.scopes ? 'scopes-error' : undefined}>
        <legend>Scopes</legend>
        {scopes.map((s) => (
          <label key={s.value} className="check">
            <input type="checkbox" name="scopes" value={s.value} defaultChecked={chosen ? chosen.includes(s.value) : s.checked} /> {s.label}
          </label>
        ))}
        {state.fieldErrors?.scopes ? <p id="scopes-error" className="field-error">{state.fieldErrors.scopes}</p> : null}
      </fieldset>
      <div className="field">
        <label htmlFor="f-expires">Expires</label>
        <select id="f-expires" name="expiresInDays" key={state.values?.expiresInDays ?? ''} defaultValue={state.values?.expiresInDays ?? ''}>
          <option value="">Never</option>
          <option value="30">In 30 days</option>
          <option value="90">In 90 days</option>
          <option value="365">In a year</option>
        </select>
      </div>
      <SubmitButton pendingText="Creating…">Create token</SubmitButton>
    </form>
  );
}
