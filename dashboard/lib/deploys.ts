// Deploys and releases of a site through the API: history, the live build log, rollback.
import 'server-only';
import { api } from './api';

export type { Deploy, DeployStatus, EnvChanges, Release } from '@paddock/control-plane/api-types';
import type { Deploy, DeployStatus, Release } from '@paddock/control-plane/api-types';

const seg = encodeURIComponent;
export const RUNNING: readonly DeployStatus[] = ['queued', 'building', 'releasing'];

export async function listDeploys(token: string, site: string): Promise<Deploy[]> {
  return (await api<{ deploys: Deploy[] }>(`/v1/sites/${seg(site)}/deploys`, { token })).deploys;
}

export async function listReleases(token: string, site: string): Promise<Release[]> {
  return (await api<{ releases: Release[] }>(`/v1/sites/${seg(site)}/releases`, { token })).releases;
}

export function rollback(token: string, site: string, version?: number): Promise<Deploy> {
  return api<Deploy>(`/v1/sites/${seg(site)}/rollback`, { method: 'POST', token, body: version ? { version } : {} });
}

export function deployEventsPath(site: string, id: string): string {
  return `/v1/sites/${seg(site)}/deploys/${seg(id)}/events`;
}
