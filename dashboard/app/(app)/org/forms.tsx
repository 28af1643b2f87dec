'use client';
// Organisation forms: invitations and API token creation (the new token is shown once, here).
import { useActionState } from 'react';
import { Field, FormMessage, SubmitButton } from '@/app/ui/form';
import { idle } from '@/lib/form-state';
import { createTokenAction, inviteAction } from './actions';

const ROLE_HELP: Record<string, string> = {
  owner: 'Owner — everything, including billing and deleting the organisation',
  admin: 'Admin — manage members, sites and settings',
  developer: 'Developer — deploy, set env vars, read logs',
  viewer: 'Viewer — read only',
};

export function InviteForm({ org }: { org: string }) {
  const [state, action] = useActionState(inviteAction, idle);
  return (
    <form action={action} className="form" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="org" value={org} />
      <Field name="email" label="Email" type="email" state={state} autoComplete="off" required />
      <div className="field">
        <label htmlFor="f-role">Role</label>
        <select id="f-role" name="role" key={state.values?.role ?? ''} defaultValue={state.values?.role ?? 'developer'}>
          {Object.entries(ROLE_HELP).map(([role, help]) => <option key={role} value={role}>{help}</option>)}
        </select>
        {state.fieldErrors?.role ? <p className="field-error">{state.fieldErrors.role}</p> : null}
      </div>
      <SubmitButton pendingText="Inviting…">Send invitation</SubmitButton>
    </form>
  );
}

export function CreateTokenForm() {
  const [state, action] = useActionState(createTokenAction, idle);
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
      <SubmitButton pendingText="Creating…">Create token</SubmitButton>
    </form>
  );
}
