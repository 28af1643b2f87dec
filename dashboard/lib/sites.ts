// Sites as the dashboard shows them, read from and changed through the control-plane API.
import 'server-only';
import { api } from './api';

export interface Site {
  id: string;
  name: string;
  status: string;
  url?: string | null;
  org?: string | null;
  plan?: string | null;
  replicas?: number | null;
  release?: { version?: number | string; createdAt?: string } | null;
  lastDeployAt?: string | null;
  sleeping?: boolean | null;
  createdAt?: string;
}

interface SiteList {
  sites?: Site[];
  items?: Site[];
}

function unwrapList(r: SiteList | Site[]): Site[] {
  return Array.isArray(r) ? r : (r.sites ?? r.items ?? []);
}

export async function listSites(token: string): Promise<Site[]> {
  return unwrapList(await api<SiteList | Site[]>('/v1/sites', { token }));
}

export async function getSite(token: string, name: string): Promise<Site> {
  const r = await api<Site | { site: Site }>(`/v1/sites/${encodeURIComponent(name)}`, { token });
  return 'site' in r ? r.site : r;
}

export async function createSite(token: string, input: { name: string; org?: string }): Promise<Site> {
  const r = await api<Site | { site: Site }>('/v1/sites', { method: 'POST', token, body: input });
  return 'site' in r ? r.site : r;
}

export async function deleteSite(token: string, name: string): Promise<void> {
  await api<void>(`/v1/sites/${encodeURIComponent(name)}`, { method: 'DELETE', token });
}

/** A DNS label, as the API requires: lowercase letters, digits and hyphens, 1–63 long, no edge hyphens. */
export const SITE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
