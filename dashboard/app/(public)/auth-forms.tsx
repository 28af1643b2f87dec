'use client';
// The public forms: each keeps what was typed (except passwords) and shows errors beside the fields.
import Link from 'next/link';
import { useActionState } from 'react';
import { Field, FormMessage, SubmitButton } from '@/app/ui/form';
import { idle } from '@/lib/form-state';
import { MIN_PASSWORD } from '@/lib/password-policy';
import { confirmResetAction, loginAction, resetAction, signupAction } from './actions';

export function SignupForm() {
  const [state, action] = useActionState(signupAction, idle);
  return (
    <form action={action} className="form card" noValidate>
      <FormMessage state={state} />
      <Field name="name" label="Your name" state={state} autoComplete="name" />
      <Field name="email" label="Email" type="email" state={state} autoComplete="email" required />
      <Field name="password" label="Password" type="password" state={state} autoComplete="new-password" required minLength={MIN_PASSWORD} hint={`At least ${MIN_PASSWORD} characters.`} />
      <SubmitButton pendingText="Creating your account…">Create account</SubmitButton>
      <p className="muted">Have an account? <Link href="/login">Log in</Link></p>
    </form>
  );
}

export function LoginForm({ next }: { next: string }) {
  const [state, action] = useActionState(loginAction, idle);
  return (
    <form action={action} className="form card" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="next" value={next} />
      <Field name="email" label="Email" type="email" state={state} autoComplete="email" required />
      <Field name="password" label="Password" type="password" state={state} autoComplete="current-password" required />
      <SubmitButton pendingText="Logging in…">Log in</SubmitButton>
      <p className="muted">
        <Link href="/reset">Forgot your password?</Link> · New here? <Link href="/signup">Sign up</Link>
      </p>
    </form>
  );
}

export function ResetForm() {
  const [state, action] = useActionState(resetAction, idle);
  return (
    <form action={action} className="form card" noValidate>
      <FormMessage state={state} />
      <Field name="email" label="Email" type="email" state={state} autoComplete="email" required />
      <SubmitButton pendingText="Sending…">Send me a reset link</SubmitButton>
      <p className="muted"><Link href="/login">Back to log in</Link></p>
    </form>
  );
}

export function NewPasswordForm({ token }: { token: string }) {
  const [state, action] = useActionState(confirmResetAction, idle);
  return (
    <form action={action} className="form card" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="token" value={token} />
      <Field name="password" label="New password" type="password" state={state} autoComplete="new-password" required minLength={MIN_PASSWORD} hint={`At least ${MIN_PASSWORD} characters.`} />
      <Field name="confirm" label="New password again" type="password" state={state} autoComplete="new-password" required />
      <SubmitButton pendingText="Saving…">Set new password</SubmitButton>
      {state.status === 'error' && !state.fieldErrors?.password && !state.fieldErrors?.confirm ? (
        <p className="muted"><Link href="/reset">Ask for a new link</Link></p>
      ) : null}
    </form>
  );
}
