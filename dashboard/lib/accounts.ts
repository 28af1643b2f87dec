// Accounts as the dashboard sees them: sign up, log in and out, the current account, password resets.
import 'server-only';
import { cache } from 'react';
import { api } from './api';
import { ApiError } from './errors';
import { sessionToken } from './session';

export interface Account {
  id: string;
  email: string;
  name?: string | null;
  operator?: boolean;
}

interface SessionResponse {
  token: string;
  account?: Account;
  expiresAt?: string;
}

export function signup(input: { email: string; password: string; name?: string }): Promise<SessionResponse> {
  return api<SessionResponse>('/v1/auth/signup', { method: 'POST', body: input });
}

export function login(input: { email: string; password: string }): Promise<SessionResponse> {
  return api<SessionResponse>('/v1/auth/login', { method: 'POST', body: input });
}

export async function logout(token: string): Promise<void> {
  await api<void>('/v1/auth/logout', { method: 'POST', token });
}

export async function requestPasswordReset(email: string): Promise<void> {
  await api<void>('/v1/auth/password-reset', { method: 'POST', body: { email } });
}

/**
 * The signed-in account for this request, or undefined when there is no session or the API no
 * longer accepts it. Cached per request so layout and page share one API call.
 */
export const currentAccount = cache(async (): Promise<Account | undefined> => {
  const token = await sessionToken();
  if (!token) return undefined;
  try {
    const me = await api<Account | { account: Account }>('/v1/auth/me', { token });
    return 'account' in me ? me.account : me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return undefined;
    throw e;
  }
});
