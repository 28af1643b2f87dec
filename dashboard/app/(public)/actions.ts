'use server';
// Server actions behind the public pages: sign up, log in, log out, ask for a password reset.
import { redirect } from 'next/navigation';
import { login, logout, requestPasswordReset, signup } from '@/lib/accounts';
import { failure, field, typedValues, type FormState } from '@/lib/form-state';
import { endSession, sessionToken, startSession } from '@/lib/session';
import { safeNext } from '@/lib/next-path';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MIN_PASSWORD = 8;

function checkCredentials(email: string, password: string, signingUp: boolean): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!EMAIL.test(email)) errors.email = 'Enter an email address like you@example.com.';
  if (!password) errors.password = 'Enter your password.';
  else if (signingUp && password.length < MIN_PASSWORD) errors.password = `Use at least ${MIN_PASSWORD} characters.`;
  return errors;
}

export async function signupAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = typedValues(form);
  const email = field(form, 'email');
  const password = String(form.get('password') ?? '');
  const name = field(form, 'name');
  const fieldErrors = checkCredentials(email, password, true);
  if (Object.keys(fieldErrors).length) return { status: 'error', message: 'Check the highlighted fields.', fieldErrors, values };
  try {
    const session = await signup({ email, password, ...(name ? { name } : {}) });
    await startSession(session.token);
  } catch (e) {
    return failure(e, values);
  }
  redirect('/sites');
}

export async function loginAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = typedValues(form);
  const email = field(form, 'email');
  const password = String(form.get('password') ?? '');
  const fieldErrors = checkCredentials(email, password, false);
  if (Object.keys(fieldErrors).length) return { status: 'error', message: 'Check the highlighted fields.', fieldErrors, values };
  try {
    const session = await login({ email, password });
    await startSession(session.token);
  } catch (e) {
    return failure(e, values);
  }
  redirect(safeNext(field(form, 'next')));
}

export async function logoutAction(): Promise<void> {
  const token = await sessionToken();
  if (token) {
    // The cookie goes regardless: a dead API must not keep someone signed in on this browser.
    await logout(token).catch(() => undefined);
  }
  await endSession();
  redirect('/login?signedOut=1');
}

export async function resetAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = typedValues(form);
  const email = field(form, 'email');
  if (!EMAIL.test(email)) return { status: 'error', message: 'Check the highlighted field.', fieldErrors: { email: 'Enter an email address like you@example.com.' }, values };
  try {
    await requestPasswordReset(email);
  } catch (e) {
    return failure(e, values);
  }
  // Same answer whether or not the account exists, so the form cannot be used to probe for accounts.
  return { status: 'success', message: `If an account exists for ${email}, we have sent it a link to choose a new password. It expires soon; check your inbox.`, values };
}
