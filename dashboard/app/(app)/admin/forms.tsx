'use client';
// Per-row operator controls; each reports its outcome in place.
import { useActionState } from 'react';
import { FormMessage, SubmitButton } from '@/app/ui/form';
import { idle } from '@/lib/form-state';
import { setPlanAction, suspendSiteAction } from './actions';

export function SuspendButton({ site, suspended }: { site: string; suspended: boolean }) {
  const [state, action] = useActionState(suspendSiteAction, idle);
  return (
    <form action={action} className="row-form">
      <input type="hidden" name="site" value={site} />
      <input type="hidden" name="op" value={suspended ? 'resume' : 'suspend'} />
      <SubmitButton className={suspended ? 'button button-secondary' : 'button button-danger'} pendingText="…">
        {suspended ? 'Resume' : 'Suspend'}<span className="sr-only"> {site}</span>
      </SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}

export function PlanForm({ org, plan, plans }: { org: string; plan: string; plans: string[] }) {
  const [state, action] = useActionState(setPlanAction, idle);
  const id = `plan-${org}`;
  return (
    <form action={action} className="row-form">
      <input type="hidden" name="org" value={org} />
      <label htmlFor={id} className="sr-only">Plan of {org}</label>
      <select id={id} name="plan" key={state.values?.plan ?? plan} defaultValue={state.values?.plan ?? plan}>
        {(plans.includes(plan) ? plans : [plan, ...plans]).map((p) => <option key={p} value={p}>{p}</option>)}
      </select>
      <SubmitButton className="button button-secondary" pendingText="…">Set<span className="sr-only"> plan of {org}</span></SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
