// What the edge routes: each site's host names, its state and the replicas serving it. The
// control plane computes this table; the data plane (HAProxy) and the activator consume it.
import type { Upstream } from '../store/schema.js';

// (Declared with the site_routes table that records them.)
export type { Upstream };

export type RouteState = 'serving' | 'sleeping' | 'suspended';

export interface SiteRoute {
  site: string;
  /** Lower-case host names without port: <site>.<domain> and verified custom domains. */
  hosts: string[];
  state: RouteState;
  /** The replicas of the current release (kept while sleeping: a paused replica keeps its address). */
  upstreams: Upstream[];
  /** How deeply a sleeping site sleeps: paused replicas wake in one engine call, stopped ones boot. */
  asleep?: 'paused' | 'stopped';
}

export interface RouteTable {
  sites: SiteRoute[];
}

/** Backend name of a site in the data plane (site names are DNS labels: safe as identifiers). */
export const backendName = (site: string): string => `site_${site.replace(/[^a-z0-9_-]/gi, '_')}`;

export const BACKEND_UNKNOWN = 'be_unknown';
export const BACKEND_SUSPENDED = 'be_suspended';
export const BACKEND_ACTIVATOR = 'be_activator';

/** host → backend, as the data plane's map file holds it. */
export function hostMap(table: RouteTable): Map<string, string> {
  const map = new Map<string, string>();
  for (const s of table.sites) {
    const target = s.state === 'suspended' ? BACKEND_SUSPENDED
      : s.state === 'sleeping' || s.upstreams.length === 0 ? BACKEND_ACTIVATOR
      : backendName(s.site);
    for (const h of s.hosts) map.set(h.toLowerCase(), target);
  }
  return map;
}

/** Host header → host name the tables use (lower case, port stripped, trailing dot dropped). */
export function normaliseHost(header: string | undefined): string {
  return (header ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
}
