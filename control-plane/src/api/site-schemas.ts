// Schemas of sites, shared by the owners' API and the admin API, and the answer's shape of a site
// view (sites/site-view.ts reads it).
import { Type } from 'typebox';
import type { Config } from '../config.js';
import type { Db } from '../store/db.js';
import { loadSiteView, siteUrl, type SiteView } from '../sites/site-view.js';
import { Timestamp, Uuid } from './schemas.js';

export const SiteStatus = Type.Union([
  Type.Literal('provisioning'), Type.Literal('ready'), Type.Literal('suspended'),
  Type.Literal('failed'), Type.Literal('deleting'), Type.Literal('deleted'),
]);

export const SiteOut = Type.Object({
  id: Uuid,
  name: Type.String(),
  org: Type.String({ description: "the owning organisation's name" }),
  status: SiteStatus,
  statusReason: Type.Union([Type.String(), Type.Null()]),
  replicas: Type.Integer(),
  memoryMb: Type.Integer(),
  url: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  release: Type.Union([Type.Integer(), Type.Null()], { description: 'version of the live release; null before the first deploy' }),
  lastDeployAt: Type.Union([Timestamp, Type.Null()], { description: 'when the live release went live (a push, env change, rollback or scale)' }),
  runState: Type.Union([Type.Literal('serving'), Type.Literal('paused'), Type.Literal('stopped'), Type.Literal('none')], {
    description: 'serving: awake; paused or stopped: asleep, woken by the next request; none: nothing deployed',
  }),
});

export const SiteSizeBody = {
  replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  memoryMb: Type.Optional(Type.Integer({ minimum: 64, maximum: 1048576 })),
};

/** One site as the API shows it, read after a change (the answer of PATCH, suspend, delete...). */
export async function loadSiteOut(db: Db, config: Pick<Config, 'siteDomain' | 'edgePort'>, siteId: string) {
  return siteOut(config, await loadSiteView(db, siteId));
}

/** One site as the API shows it. */
export function siteOut(config: Pick<Config, 'siteDomain' | 'edgePort'>, site: SiteView) {
  return {
    id: site.id, name: site.name, org: site.org_name, status: site.status, statusReason: site.status_reason,
    replicas: site.replicas, memoryMb: site.memory_mb, url: siteUrl(config, site.name),
    createdAt: site.created_at.toISOString(), updatedAt: site.updated_at.toISOString(),
    release: site.release_version ?? null,
    lastDeployAt: site.release_live_at ? new Date(site.release_live_at).toISOString() : null,
    // No live release: whatever a route row says (a torn-down site), nothing is deployed.
    runState: site.release_version === null || site.release_version === undefined ? 'none' as const : site.run_state ?? 'none',
  };
}
