// Sites as the dashboard shows them, read from and changed through the control-plane API.
import 'server-only';
import { cache } from 'react';
import { api } from './api';

export type { Plan, RunState, Site } from '@paddock/control-plane/api-types';
import type { Plan, Site } from '@paddock/control-plane/api-types';

const seg = encodeURIComponent;

export async function listSites(token: string, org?: string): Promise<Site[]> {
  return (await api<{ sites: Site[] }>('/v1/sites', { token, query: { org } })).sites;
}

/** One site; asked once per request however many parts of the page want it (layout and page). */
export const getSite = cache((token: string, name: string): Promise<Site> => api<Site>(`/v1/sites/${seg(name)}`, { token }));

export function createSite(token: string, input: { name: string; org?: string }): Promise<Site> {
  return api<Site>('/v1/sites', { method: 'POST', token, body: input });
}

export function resizeSite(token: string, name: string, size: { replicas?: number; memoryMb?: number }): Promise<Site> {
  return api<Site>(`/v1/sites/${seg(name)}`, { method: 'PATCH', token, body: size });
}

export function setSuspended(token: string, name: string, suspended: boolean): Promise<Site> {
  return api<Site>(`/v1/sites/${seg(name)}/${suspended ? 'suspend' : 'resume'}`, { method: 'POST', token });
}

export async function deleteSite(token: string, name: string): Promise<void> {
  await api<Site>(`/v1/sites/${seg(name)}`, { method: 'DELETE', token });
}

export async function listPlans(): Promise<Plan[]> {
  return (await api<{ plans: Plan[] }>('/v1/plans')).plans;
}

/** A DNS label, as the API requires: lowercase letters, digits and hyphens, 1–63 long, no edge hyphens. */
export const SITE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
