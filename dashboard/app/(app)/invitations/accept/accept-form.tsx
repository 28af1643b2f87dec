'use client';
// The one button that joins the organisation.
import { useActionState } from 'react';
import { FormMessage, SubmitButton } from '@/app/ui/form';
import { idle } from '@/lib/form-state';
import { acceptAction } from './actions';

export function AcceptForm({ token }: { token: string }) {
  const [state, action] = useActionState(acceptAction, idle);
  return (
    <form action={action} className="form card">
      <FormMessage state={state} />
      <input type="hidden" name="token" value={token} />
      <SubmitButton pendingText="Joining…">Accept the invitation</SubmitButton>
    </form>
  );
}
