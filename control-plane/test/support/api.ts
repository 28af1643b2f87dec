// Test support: calling the API as someone — sign up, log in, make requests with a token, wait
// for a site to reach a status.
import type { ApiServer } from '../../src/api/server.js';
import { suffix } from './platform.js';

export interface User {
  email: string;
  password: string;
  token: string;
  accountId: string;
  org: string;
}

export async function signup(app: ApiServer, name = 'user'): Promise<User> {
  const email = `${name}-${suffix()}@example.test`;
  const password = `pw-${suffix()}-${suffix()}`;
  const res = await app.inject({ method: 'POST', url: '/v1/auth/signup', payload: { email, password } });
  if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
  const body = res.json();
  return { email, password, token: body.session.token, accountId: body.account.id, org: body.organisation.name };
}

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers loosely
  body: any;
}

export async function call(app: ApiServer, token: string | undefined, method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, payload?: unknown): Promise<Answer> {
  const res = await app.inject({
    method, url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
  let body: unknown = res.body;
  try { body = res.json(); } catch { /* not JSON */ }
  return { status: res.statusCode, body };
}

export async function waitForStatus(app: ApiServer, token: string, site: string, status: string, timeoutMs = 20000): Promise<Answer> {
  const until = Date.now() + timeoutMs;
  let last: Answer | undefined;
  while (Date.now() < until) {
    last = await call(app, token, 'GET', `/v1/sites/${site}`);
    if (last.body?.status === status) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`site ${site} did not become ${status} within ${timeoutMs} ms (last: ${JSON.stringify(last?.body)})`);
}

export function siteName(prefix = 's'): string {
  return `${prefix}-${suffix()}`;
}
