// Schemas of sites, shared by the owners' API and the admin API, and the one query that reads
// what a site answer shows (the site, its organisation, its live release and run state).
import { Type } from 'typebox';
import type { Config } from '../config.js';
import type { Db } from '../store/db.js';
import type { Site } from '../store/schema.js';
import { deployDb, type RouteRunState } from '../releases/tables.js';
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

export function siteUrl(config: Pick<Config, 'siteDomain' | 'edgePort'>, name: string): string {
  const port = config.edgePort === 80 ? '' : `:${config.edgePort}`;
  return `http://${name}.${config.siteDomain}${port}`;
}

/** The columns siteOut reads: list queries select only these. */
export const siteOutColumns = ['sites.id', 'sites.name', 'sites.status', 'sites.status_reason', 'sites.replicas', 'sites.memory_mb', 'sites.created_at', 'sites.updated_at'] as const;

type SiteView = Pick<Site, 'id' | 'name' | 'status' | 'status_reason' | 'replicas' | 'memory_mb' | 'created_at' | 'updated_at'>;

/** What siteOut shows beyond the sites row. */
export interface SiteDeployView {
  org_name: string;
  release_version: number | null;
  release_live_at: Date | null;
  run_state: RouteRunState | null;
}

/**
 * Sites with their organisation's name, live release and run state, in one query (a join on the
 * one-live-release-per-site index): lists stay one round trip however many sites.
 */
export function siteOutQuery(db: Db) {
  return deployDb(db).selectFrom('sites')
    .innerJoin('organisations', 'organisations.id', 'sites.org_id')
    // One live release per site at most (a partial unique index): a plain join, cheap to plan.
    .leftJoin('releases as live', (join) => join.onRef('live.site_id', '=', 'sites.id').on('live.status', '=', 'live'))
    .leftJoin('site_routes', 'site_routes.site_id', 'sites.id')
    .select([...siteOutColumns, 'organisations.name as org_name', 'live.version as release_version', 'site_routes.state as run_state'])
    .select((eb) => eb.fn.coalesce('live.live_at', 'live.created_at').as('release_live_at'));
}

/** One site as siteOut shows it, after a change (the answer of PATCH, suspend, delete...). */
export async function loadSiteOut(db: Db, config: Pick<Config, 'siteDomain' | 'edgePort'>, siteId: string) {
  return siteOut(config, await siteOutQuery(db).where('sites.id', '=', siteId).executeTakeFirstOrThrow());
}

export function siteOut(config: Pick<Config, 'siteDomain' | 'edgePort'>, site: SiteView & SiteDeployView) {
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
