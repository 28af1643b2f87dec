// Pages behind a login: the account for this request, or a redirect to log in again.
import 'server-only';
import { redirect } from 'next/navigation';
import { currentAccount, type Account } from './accounts';
import { ApiError } from './errors';
import { sessionToken } from './session';

export interface Viewer {
  account: Account;
  token: string;
}

export async function requireViewer(): Promise<Viewer> {
  const token = await sessionToken();
  const account = token ? await currentAccount() : undefined;
  if (!token || !account) redirect('/login?expired=1');
  return { account, token };
}

/** Runs an API call for a page; a token the API stopped accepting sends the user to log in. */
export async function withViewer<T>(fn: (v: Viewer) => Promise<T>): Promise<T> {
  const viewer = await requireViewer();
  try {
    return await fn(viewer);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) redirect('/login?expired=1');
    throw e;
  }
}
