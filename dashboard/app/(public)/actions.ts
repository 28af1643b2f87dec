'use server';
// Server actions behind the public pages: sign up, log in, log out, ask for a password reset.
import type { Route } from 'next';
import { redirect } from 'next/navigation';
import { confirmPasswordReset, login, logout, requestPasswordReset, signup, type AuthResult } from '@/lib/accounts';
import { MIN_PASSWORD } from '@/lib/password-policy';
import { failure, field, typedValues, type FormState } from '@/lib/form-state';
import { endSession, sessionToken, startSession } from '@/lib/session';
import { safeNext } from '@/lib/next-path';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checkCredentials(email: string, password: string, signingUp: boolean): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!EMAIL.test(email)) errors.email = 'Enter an email address like you@example.com.';
  if (!password) errors.password = 'Enter your password.';
  else if (signingUp && password.length < MIN_PASSWORD) errors.password = `Use at least ${MIN_PASSWORD} characters.`;
  return errors;
}

async function begin(result: AuthResult): Promise<void> {
  const seconds = Math.floor((Date.parse(result.session.expiresAt) - Date.now()) / 1000);
  await startSession(result.session.token, Number.isFinite(seconds) && seconds > 0 ? seconds : undefined);
}

export async function signupAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = typedValues(form);
  const email = field(form, 'email');
  const password = String(form.get('password') ?? '');
  const name = field(form, 'name');
  const fieldErrors = checkCredentials(email, password, true);
  if (Object.keys(fieldErrors).length) return { status: 'error', message: 'Check the highlighted fields.', fieldErrors, values };
  try {
    await begin(await signup({ email, password, ...(name ? { name } : {}) }));
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
    await begin(await login({ email, password }));
  } catch (e) {
    return failure(e, values);
  }
  redirect(safeNext(field(form, 'next')) as Route);
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

export async function confirmResetAction(_prev: FormState, form: FormData): Promise<FormState> {
  const token = field(form, 'token');
  const password = String(form.get('password') ?? '');
  const confirm = String(form.get('confirm') ?? '');
  const fieldErrors: Record<string, string> = {};
  if (password.length < MIN_PASSWORD) fieldErrors.password = `Use at least ${MIN_PASSWORD} characters.`;
  else if (password !== confirm) fieldErrors.confirm = 'The two passwords differ; type the same one twice.';
  if (Object.keys(fieldErrors).length) return { status: 'error', message: 'Check the highlighted fields.', fieldErrors };
  try {
    await confirmPasswordReset(token, password);
  } catch (e) {
    return failure(e, {});
  }
  redirect('/login?reset=1');
}
