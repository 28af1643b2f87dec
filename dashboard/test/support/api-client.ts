// Setting the scene for browser tests through the real API itself (an account, a site), so each
// test drives in the browser only what it is about.
import { eventually } from './pages.js';
import type { RunningApi } from './control-plane.js';

async function call<T>(api: string, path: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`${api}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function signupViaApi(api: string, email: string, password: string): Promise<{ token: string; org: string }> {
  const r = await call<{ session: { token: string }; organisation: { name: string } }>(api, '/v1/auth/signup', { method: 'POST', body: { email, password } });
  return { token: r.session.token, org: r.organisation.name };
}

export async function createReadySite(api: string, token: string, name: string): Promise<{ id: string }> {
  const site = await call<{ id: string }>(api, '/v1/sites', { method: 'POST', token, body: { name } });
  await eventually(`site ${name} becoming ready`, async () => (await call<{ status: string }>(api, `/v1/sites/${name}`, { token })).status === 'ready');
  return site;
}

export function apiCall<T>(api: string, path: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<T> {
  return call<T>(api, path, init);
}

/** Someone with `role` in the owner's organisation, through the real invitation path (the mailed token). */
export async function addMemberViaApi(api: RunningApi, ownerToken: string, org: string, email: string, password: string, role: 'viewer' | 'developer' | 'admin'): Promise<{ token: string }> {
  await call(api.url, `/v1/orgs/${org}/invitations`, { method: 'POST', token: ownerToken, body: { email, role } });
  const mail = api.platform.mailer.sent.filter((m) => m.to === email).at(-1);
  const invite = mail ? /[?&]token=([^\s&]+)/.exec(mail.text)?.[1] : undefined;
  if (!invite) throw new Error(`no invitation mail with a token reached ${email}`);
  const member = await signupViaApi(api.url, email, password);
  await call(api.url, '/v1/invitations/accept', { method: 'POST', token: member.token, body: { token: decodeURIComponent(invite) } });
  return { token: member.token };
}
