// Pages and actions behind a login: the session token (or a redirect to log in), and the account
// when a page needs it. The API authenticates every call itself; this only routes people.
import 'server-only';
import { redirect } from 'next/navigation';
import { currentAccount, type Account } from './accounts';
import { ApiError } from './errors';
import { sessionToken } from './session';

export interface Viewer {
  token: string;
  /** The signed-in account; asked of the API only when a page needs it (cached per request). */
  account(): Promise<Account>;
}

export async function requireToken(): Promise<string> {
  const token = await sessionToken();
  if (!token) redirect('/login?expired=1');
  return token;
}

async function accountOrLogin(): Promise<Account> {
  const account = await currentAccount();
  if (!account) redirect('/login?expired=1');
  return account;
}

export async function requireViewer(): Promise<{ token: string; account: Account }> {
  const token = await requireToken();
  return { token, account: await accountOrLogin() };
}

/**
 * Runs a page's API calls with the session token straight away (in parallel with the layout's
 * check of the account); a token the API stopped accepting sends the user to log in.
 */
export async function withViewer<T>(fn: (v: Viewer) => Promise<T>): Promise<T> {
  const token = await requireToken();
  try {
    return await fn({ token, account: accountOrLogin });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) redirect('/login?expired=1');
    throw e;
  }
}
