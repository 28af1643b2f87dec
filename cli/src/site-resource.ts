// The API's site object as the CLI reads it, and waiting for a site to settle.
import type { ApiClient } from './api-client.js';
import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { sitePath } from './project.js';

export interface Site {
  id: string;
  name: string;
  status: string;
  statusReason?: string | null;
  org?: string | { name: string } | null;
  orgName?: string;
  url?: string | null;
  urls?: string[];
  replicas?: number;
  memoryMb?: number;
  createdAt?: string;
  currentRelease?: { version: number } | number | null;
  release?: number | null;
  /** When the live release went live. */
  lastDeployAt?: string | null;
  runState?: 'serving' | 'paused' | 'stopped' | 'none';
  domains?: Array<string | { hostname: string }>;
}

/** How a run state reads to a person. */
export function runStateText(state: Site['runState']): string | undefined {
  if (!state) return undefined;
  return { serving: 'awake', paused: 'asleep (paused; the next request wakes it)', stopped: 'asleep (stopped; the next request wakes it)', none: 'nothing deployed' }[state];
}

export function orgName(site: Site): string {
  if (typeof site.org === 'string') return site.org;
  return site.org?.name ?? site.orgName ?? '';
}

export function siteUrl(site: Site): string | undefined {
  return site.url ?? site.urls?.[0] ?? undefined;
}

export async function getSite(api: ApiClient, name: string): Promise<Site> {
  const answer = await api.json<Site | { site: Site }>('GET', sitePath(name), { notFoundHint: 'Run `paddock sites` to list your sites.' });
  return 'site' in answer ? answer.site : answer;
}

/** Polls until the site leaves `provisioning` (the API provisions in the background). */
export async function waitForSite(api: ApiClient, name: string, opts: { timeoutMs: number; signal: AbortSignal }): Promise<Site> {
  const deadline = Date.now() + opts.timeoutMs;
  let delay = 100;
  for (;;) {
    const site = await getSite(api, name);
    if (site.status !== 'provisioning') {
      if (site.status === 'failed') {
        throw new CliError('CLI_SITE_FAILED', `Provisioning site "${name}" failed${site.statusReason ? `: ${site.statusReason}` : ''}.`, `Delete it with \`paddock sites:delete ${name}\` and create it again; tell the operator if it keeps failing.`, ExitCode.failure);
      }
      return site;
    }
    if (Date.now() > deadline) return site;
    opts.signal.throwIfAborted();
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 1000);
  }
}
