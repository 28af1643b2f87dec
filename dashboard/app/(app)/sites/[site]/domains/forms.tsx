'use client';
// Adding a domain, and the per-domain Check / Remove buttons.
import { useActionState } from 'react';
import { Field, FormMessage, SubmitButton } from '@/app/ui/form';
import { idle } from '@/lib/form-state';
import { addDomainAction, removeDomainAction, verifyDomainAction } from './actions';

export function AddDomainForm({ site }: { site: string }) {
  const [state, action] = useActionState(addDomainAction, idle);
  return (
    <form action={action} className="form" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="site" value={site} />
      <Field name="hostname" label="Host name" state={state} autoComplete="off" autoCapitalize="none" spellCheck={false} placeholder="www.example.com" />
      <SubmitButton pendingText="Adding…">Add domain</SubmitButton>
    </form>
  );
}

export function DomainButtons({ site, hostname, verified }: { site: string; hostname: string; verified: boolean }) {
  const [vState, verify] = useActionState(verifyDomainAction, idle);
  const [rState, remove] = useActionState(removeDomainAction, idle);
  return (
    <div className="row-form">
      {!verified ? (
        <form action={verify}>
          <input type="hidden" name="site" value={site} />
          <input type="hidden" name="hostname" value={hostname} />
          <SubmitButton className="button button-secondary" pendingText="Checking…">Check DNS<span className="sr-only"> of {hostname}</span></SubmitButton>
        </form>
      ) : null}
      <form action={remove}>
        <input type="hidden" name="site" value={site} />
        <input type="hidden" name="hostname" value={hostname} />
        <SubmitButton className="button button-danger" pendingText="…">Remove<span className="sr-only"> {hostname}</span></SubmitButton>
      </form>
      <FormMessage state={vState.message ? vState : rState} />
    </div>
  );
}
