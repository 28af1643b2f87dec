// Deploys and releases of a site through the API: history, the live build log, rollback.
import 'server-only';
import { api } from './api';

export type DeployStatus = 'queued' | 'building' | 'releasing' | 'succeeded' | 'failed';

export interface Deploy {
  id: string;
  kind: string;
  status: DeployStatus;
  version: number | null;
  error: string | null;
  url: string;
  sha256: string | null;
  size: number | null;
  createdAt: string;
  finishedAt: string | null;
}

/** Names (never values) of the env vars a release added, removed or changed against the release before it. */
export interface EnvChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

export interface Release {
  version: number;
  kind: string;
  status: string;
  description: string;
  current: boolean;
  replicas: number;
  error: string | null;
  createdAt: string;
  liveAt: string | null;
  /** Absent when this release or the one before it predates env snapshots. */
  envChanges?: EnvChanges;
}

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
