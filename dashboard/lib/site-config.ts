// A site's environment variables and custom domains through the API. Env var values stay on
// the server until someone asks to see one.
import 'server-only';
import { api } from './api';
import type { Deploy } from './deploys';

export type { Domain } from '@paddock/control-plane/api-types';
import type { Domain } from '@paddock/control-plane/api-types';

const seg = encodeURIComponent;

export async function envVars(token: string, site: string): Promise<Record<string, string>> {
  return (await api<{ vars: Record<string, string> }>(`/v1/sites/${seg(site)}/env`, { token })).vars;
}

/** Sets (string) or removes (null) variables; a live site gets a new release, returned as `deploy`; `changed: false` when nothing changed (no release). */
export function setEnvVars(token: string, site: string, vars: Record<string, string | null>): Promise<{ vars: Record<string, string>; deploy?: Deploy; changed?: boolean }> {
  return api(`/v1/sites/${seg(site)}/env`, { method: 'PATCH', token, body: { vars } });
}

export async function listDomains(token: string, site: string): Promise<Domain[]> {
  return (await api<{ domains: Domain[] }>(`/v1/sites/${seg(site)}/domains`, { token })).domains;
}

export function addDomain(token: string, site: string, hostname: string): Promise<Domain> {
  return api(`/v1/sites/${seg(site)}/domains`, { method: 'POST', token, body: { hostname } });
}

export function verifyDomain(token: string, site: string, hostname: string): Promise<Domain> {
  return api(`/v1/sites/${seg(site)}/domains/${seg(hostname)}/verify`, { method: 'POST', token });
}

export async function removeDomain(token: string, site: string, hostname: string): Promise<void> {
  await api(`/v1/sites/${seg(site)}/domains/${seg(hostname)}`, { method: 'DELETE', token });
}

export function logsPath(site: string, follow: boolean, lines = 200): string {
  return `/v1/sites/${seg(site)}/logs?lines=${lines}${follow ? '&follow=1' : ''}`;
}
