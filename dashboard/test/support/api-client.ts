// Setting the scene for browser tests through the real API itself (an account, a site), so each
// test drives in the browser only what it is about.
import { eventually } from './pages.js';

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
