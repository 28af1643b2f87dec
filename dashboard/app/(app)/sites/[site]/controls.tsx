'use client';
// A site's controls: scale, suspend / resume, and delete behind typing the site's name.
import { useActionState } from 'react';
import { Field, FormMessage, SubmitButton } from '@/app/ui/form';
import { idle } from '@/lib/form-state';
import { deleteAction, scaleAction, suspendAction } from './actions';

export function ScaleForm({ site, replicas, memoryMb, maxReplicas, maxMemoryMb }: { site: string; replicas: number; memoryMb: number; maxReplicas?: number; maxMemoryMb?: number }) {
  const [state, action] = useActionState(scaleAction, idle);
  return (
    <form action={action} className="form" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="site" value={site} />
      <div className="two">
        <Field name="replicas" label="Replicas" type="number" inputMode="numeric" min={1} max={maxReplicas} state={state} defaultValue={String(replicas)} hint={maxReplicas ? `Your plan allows up to ${maxReplicas}.` : undefined} />
        <Field name="memoryMb" label="Memory per replica (MB)" type="number" inputMode="numeric" min={64} max={maxMemoryMb} step={64} state={state} defaultValue={String(memoryMb)} hint={maxMemoryMb ? `Up to ${maxMemoryMb} MB.` : undefined} />
      </div>
      <SubmitButton pendingText="Scaling…">Scale</SubmitButton>
    </form>
  );
}

export function SuspendForm({ site, suspended }: { site: string; suspended: boolean }) {
  const [state, action] = useActionState(suspendAction, idle);
  return (
    <form action={action} className="form">
      <FormMessage state={state} />
      <input type="hidden" name="site" value={site} />
      <input type="hidden" name="op" value={suspended ? 'resume' : 'suspend'} />
      <p className="muted">{suspended ? 'The site is suspended: visitors get a 503 page, and it takes no deploys, env var changes or scaling until you resume it.' : 'Suspending stops the site serving (visitors get a 503 page) until you resume it.'}</p>
      <SubmitButton className={suspended ? 'button' : 'button button-secondary'} pendingText="…">{suspended ? 'Resume site' : 'Suspend site'}</SubmitButton>
    </form>
  );
}

export function DeleteForm({ site }: { site: string }) {
  const [state, action] = useActionState(deleteAction, idle);
  return (
    <form action={action} className="form" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="site" value={site} />
      <p>Deleting removes the site, its releases, database and cache. It cannot be undone.</p>
      <Field name="confirm" label={`Type ${site} to confirm`} state={state} autoComplete="off" autoCapitalize="none" spellCheck={false} />
      <SubmitButton className="button button-danger" pendingText="Deleting…">Delete this site</SubmitButton>
    </form>
  );
}
