'use client';
// Operator controls; each reports its outcome in place.
import { useActionState } from 'react';
import { Field, FormMessage, SubmitButton } from '@/app/ui/form';
import { idle } from '@/lib/form-state';
import { deleteSiteAction, setPlanAction, suspendSiteAction } from './actions';

export function SuspendButton({ id, name, suspended }: { id: string; name: string; suspended: boolean }) {
  const [state, action] = useActionState(suspendSiteAction, idle);
  return (
    <form action={action} className="row-form">
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="name" value={name} />
      <input type="hidden" name="op" value={suspended ? 'resume' : 'suspend'} />
      <SubmitButton className={suspended ? 'button button-secondary' : 'button button-danger'} pendingText="…">
        {suspended ? 'Resume' : 'Suspend'}<span className="sr-only"> {name}</span>
      </SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}

export function AdminDeleteForm({ id, name }: { id: string; name: string }) {
  const [state, action] = useActionState(deleteSiteAction, idle);
  return (
    <form action={action} className="form" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="name" value={name} />
      <Field name="confirm" label={`Type ${name} to confirm`} state={state} autoComplete="off" autoCapitalize="none" spellCheck={false} />
      <SubmitButton className="button button-danger" pendingText="Deleting…">Delete this site</SubmitButton>
    </form>
  );
}

export function PlanForm({ id, name, plan, plans }: { id: string; name: string; plan: string; plans: string[] }) {
  const [state, action] = useActionState(setPlanAction, idle);
  const sel = `plan-${id}`;
  return (
    <form action={action} className="form">
      <FormMessage state={state} />
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="name" value={name} />
      <div className="field">
        <label htmlFor={sel}>Plan</label>
        <select id={sel} name="plan" key={state.values?.plan ?? plan} defaultValue={state.values?.plan ?? plan}>
          {(plans.includes(plan) ? plans : [plan, ...plans]).map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
      </div>
      <fieldset className="field">
        <legend>Quota overrides (empty keeps the plan’s)</legend>
        <div className="two">
          <Field name="sites" label="Sites" type="number" min={0} inputMode="numeric" state={state} />
          <Field name="replicas" label="Replicas per site" type="number" min={0} inputMode="numeric" state={state} />
          <Field name="memoryMb" label="Memory per replica (MB)" type="number" min={0} inputMode="numeric" state={state} />
          <Field name="databaseMb" label="Database per site (MB)" type="number" min={0} inputMode="numeric" state={state} />
        </div>
      </fieldset>
      <SubmitButton pendingText="Saving…">Save<span className="sr-only"> plan of {name}</span></SubmitButton>
    </form>
  );
}
