'use client';
// The new-site form: a name that becomes the site's address, and which organisation owns it.
import { useActionState } from 'react';
import { Field, FormMessage, SubmitButton } from '@/app/ui/form';
import { idle } from '@/lib/form-state';
import { createSiteAction } from './actions';

/** `address`: where a site answers, with `<name>` for its name (the platform's domain and edge port). */
export function CreateSiteForm({ orgs, address }: { orgs: string[]; address: string }) {
  const [state, action] = useActionState(createSiteAction, idle);
  return (
    <form action={action} className="form card" noValidate>
      <FormMessage state={state} />
      <Field
        name="name"
        label="Site name"
        state={state}
        required
        pattern="[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
        autoCapitalize="none"
        autoCorrect="off"
        spellCheck={false}
        hint={<>Lowercase letters, digits and hyphens. Your site answers at <code>{address}</code>.</>}
      />
      {orgs.length > 1 ? (
        <div className="field">
          <label htmlFor="f-org">Organisation</label>
          <select id="f-org" name="org" key={state.values?.org ?? ''} defaultValue={state.values?.org ?? orgs[0]}>
            {orgs.map((o) => <option key={o} value={o}>{o}</option>)}
          </select>
        </div>
      ) : orgs[0] ? (
        <input type="hidden" name="org" value={orgs[0]} />
      ) : null}
      <SubmitButton pendingText="Creating…">Create site</SubmitButton>
    </form>
  );
}
