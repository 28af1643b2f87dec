// A site as its answers show it: the site, its organisation's name, its live release and its run
// state, read in one query (lists stay one round trip however many sites), and its address.
import type { Config } from '../config.js';
import type { Db } from '../store/db.js';
import type { RouteRunState, Site } from '../store/schema.js';

export function siteUrl(config: Pick<Config, 'siteDomain' | 'edgePort'>, name: string): string {
  const port = config.edgePort === 80 ? '' : `:${config.edgePort}`;
  return `http://${name}.${config.siteDomain}${port}`;
}

/** The columns a site view reads: list queries select only these. */
export const siteViewColumns = ['sites.id', 'sites.name', 'sites.status', 'sites.status_reason', 'sites.replicas', 'sites.memory_mb', 'sites.created_at', 'sites.updated_at'] as const;

export type SiteView = Pick<Site, 'id' | 'name' | 'status' | 'status_reason' | 'replicas' | 'memory_mb' | 'created_at' | 'updated_at'> & {
  org_name: string;
  release_version: number | null;
  release_live_at: Date | null;
  run_state: RouteRunState | null;
};

/**
 * Sites with their organisation's name, live release and run state, in one query (a join on the
 * one-live-release-per-site index); callers add their filters.
 */
export function siteViewQuery(db: Db) {
  return db.selectFrom('sites')
    .innerJoin('organisations', 'organisations.id', 'sites.org_id')
    // One live release per site at most (a partial unique index): a plain join, cheap to plan.
    .leftJoin('releases as live', (join) => join.onRef('live.site_id', '=', 'sites.id').on('live.status', '=', 'live'))
    .leftJoin('site_routes', 'site_routes.site_id', 'sites.id')
    .select([...siteViewColumns, 'organisations.name as org_name', 'live.version as release_version', 'site_routes.state as run_state'])
    .select((eb) => eb.fn.coalesce('live.live_at', 'live.created_at').as('release_live_at'));
}

/** One site's view, after a change (the answer of PATCH, suspend, delete...). */
export async function loadSiteView(db: Db, siteId: string): Promise<SiteView> {
  return siteViewQuery(db).where('sites.id', '=', siteId).executeTakeFirstOrThrow();
}

/** The sites of the account's organisations (of one of them, by name), by name; deleted ones not. */
export async function memberSiteViews(db: Db, accountId: string, orgName?: string): Promise<SiteView[]> {
  let q = siteViewQuery(db).innerJoin('memberships', 'memberships.org_id', 'sites.org_id')
    .where('memberships.account_id', '=', accountId).where('sites.status', '<>', 'deleted');
  if (orgName) q = q.where('organisations.name', '=', orgName);
  return q.orderBy('sites.name').limit(1000).execute();
}
