// Accounts as the dashboard sees them: sign up, log in and out, the current account, password resets.
import 'server-only';
import { cache } from 'react';
import { api } from './api';
import { ApiError } from './errors';
import { sessionToken } from './session';

// The API's answers, typed from its own schemas.
export type { Account, AuthResult, Me } from '@paddock/control-plane/api-types';
import type { Account, AuthResult, Me } from '@paddock/control-plane/api-types';

export function signup(input: { email: string; password: string; name?: string }): Promise<AuthResult> {
  return api<AuthResult>('/v1/auth/signup', { method: 'POST', body: input });
}

export function login(input: { email: string; password: string }): Promise<AuthResult> {
  return api<AuthResult>('/v1/auth/login', { method: 'POST', body: input });
}

export async function logout(token: string): Promise<void> {
  await api<void>('/v1/auth/logout', { method: 'POST', token });
}

export async function requestPasswordReset(email: string): Promise<void> {
  await api<void>('/v1/auth/password-reset', { method: 'POST', body: { email } });
}

export async function confirmPasswordReset(token: string, password: string): Promise<void> {
  await api<void>('/v1/auth/password-reset/confirm', { method: 'POST', body: { token, password } });
}

/**
 * The signed-in account and its organisations for this request, or undefined when there is no
 * session or the API no longer accepts it. Cached per request so layout and page share one call.
 */
export const currentMe = cache(async (): Promise<Me | undefined> => {
  const token = await sessionToken();
  if (!token) return undefined;
  try {
    return await api<Me>('/v1/auth/me', { token });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return undefined;
    throw e;
  }
});

export async function currentAccount(): Promise<Account | undefined> {
  return (await currentMe())?.account;
}
