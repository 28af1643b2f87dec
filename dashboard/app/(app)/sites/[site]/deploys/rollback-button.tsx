'use client';
// "Roll back to vN": one button per earlier release.
import { useActionState } from 'react';
import { FormMessage, SubmitButton } from '@/app/ui/form';
import { idle } from '@/lib/form-state';
import { rollbackAction } from './actions';

export function RollbackButton({ site, version }: { site: string; version: number }) {
  const [state, action] = useActionState(rollbackAction, idle);
  return (
    <form action={action} className="row-form">
      <input type="hidden" name="site" value={site} />
      <input type="hidden" name="version" value={version} />
      <SubmitButton className="button button-secondary" pendingText="Rolling back…">Roll back to v{version}</SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
