// What operators see and change across the platform: every organisation and site, searched and
// paginated; a site's usage against its plan; an organisation's plan and quota overrides.
// (Suspending, resuming and deleting a site are the sites feature's, with `by: 'operator'`.)
import { sql } from 'kysely';
import { errors } from '../errors.js';
import { audit, type Actor } from '../audit/audit.js';
import { plans, quotasOf, type Quotas } from '../orgs/plans.js';
import { openResource, type Provisioners } from '../provisioners/index.js';
import type { SecretBox } from '../secrets/box.js';
import type { Db } from '../store/db.js';
import type { Organisation, Site, SiteStatus } from '../store/schema.js';
import { siteViewQuery, type SiteView } from '../sites/site-view.js';

export interface Page {
  page: number;
  limit: number;
}

/** A search text as a LIKE pattern matching it anywhere, wildcards in it taken literally. */
function contains(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Organisations by name (part of it) or plan, newest first, with their member and live site counts; and how many match. */
export async function searchOrgs(db: Db, filter: Page & { q?: string | undefined; plan?: string | undefined }): Promise<{
  rows: (Organisation & { members: number | null; sites: number | null })[]; total: number;
}> {
  const { page, limit, q, plan } = filter;
  let base = db.selectFrom('organisations');
  if (q) base = base.where('organisations.name', 'like', contains(q));
  if (plan) base = base.where('organisations.plan', '=', plan);
  const [{ total }, rows] = await Promise.all([
    base.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow(),
    base.selectAll('organisations')
      .select((eb) => [
        eb.selectFrom('memberships').select(sql<number>`count(*)::int`.as('n')).whereRef('memberships.org_id', '=', 'organisations.id').as('members'),
        eb.selectFrom('sites').select(sql<number>`count(*)::int`.as('n')).whereRef('sites.org_id', '=', 'organisations.id').where('sites.status', '<>', 'deleted').as('sites'),
      ])
      .orderBy('organisations.created_at', 'desc').orderBy('organisations.id').limit(limit).offset((page - 1) * limit).execute(),
  ]);
  return { rows, total };
}

const isUuid = (v: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

/**
 * Sets an organisation's plan and merges quota overrides into its own (null clears one); audited with
 * before and after. `org`: its id or its name.
 */
export async function changeOrgPlan(db: Db, actor: Actor, org: string, change: { plan?: string | undefined; quotas?: Record<string, number | null> | undefined }): Promise<Organisation> {
  const { plan, quotas } = change;
  if (plan !== undefined && !plans[plan]) throw errors.planNotFound(plan);
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('organisations').selectAll().where(isUuid(org) ? 'id' : 'name', '=', isUuid(org) ? org.toLowerCase() : org).forUpdate().executeTakeFirst();
    if (!before) throw errors.orgNotFound(org);
    const overrides = { ...before.quota_overrides, ...(quotas ?? {}) };
    const after = await trx.updateTable('organisations')
      .set({ plan: plan ?? before.plan, quota_overrides: JSON.stringify(overrides), updated_at: new Date() })
      .where('id', '=', before.id).returningAll().executeTakeFirstOrThrow();
    await audit(trx, actor, { action: 'organisation.plan', targetType: 'organisation', targetId: before.id, orgId: before.id, details: { from: { plan: before.plan, overrides: before.quota_overrides }, to: { plan: after.plan, overrides } } });
    return after;
  });
}

/** Sites by name (part of it), status or organisation id, newest first; and how many match. */
export async function searchSites(db: Db, filter: Page & { q?: string | undefined; status?: SiteStatus | undefined; org?: string | undefined }): Promise<{ rows: SiteView[]; total: number }> {
  const { page, limit, q, status, org } = filter;
  let base = db.selectFrom('sites').innerJoin('organisations', 'organisations.id', 'sites.org_id');
  let rowsQuery = siteViewQuery(db);
  if (q) { base = base.where('sites.name', 'like', contains(q)); rowsQuery = rowsQuery.where('sites.name', 'like', contains(q)); }
  if (status) { base = base.where('sites.status', '=', status); rowsQuery = rowsQuery.where('sites.status', '=', status); }
  if (org) { base = base.where('sites.org_id', '=', org); rowsQuery = rowsQuery.where('sites.org_id', '=', org); }
  const [{ total }, rows] = await Promise.all([
    base.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow(),
    rowsQuery.orderBy('sites.created_at', 'desc').orderBy('sites.id').limit(limit).offset((page - 1) * limit).execute(),
  ]);
  return { rows, total };
}

/** A site of the platform by its id (deleted ones included) or by its name (the live site of that name: a deleted one's name may be taken again), with its organisation's name. */
export async function findSiteById(db: Db, ref: string): Promise<{ site: Site; orgName: string }> {
  const q = db.selectFrom('sites').innerJoin('organisations', 'organisations.id', 'sites.org_id')
    .selectAll('sites').select('organisations.name as org_name');
  const row = await (isUuid(ref) ? q.where('sites.id', '=', ref.toLowerCase()) : q.where('sites.name', '=', ref).where('sites.status', '<>', 'deleted')).executeTakeFirst();
  if (!row) throw errors.siteNotFound(ref);
  const { org_name, ...site } = row;
  return { site, orgName: org_name };
}

export interface SiteUsage {
  databaseBytes: number;
  databaseConnections: number;
  cacheKeys: number;
  quotas: Quotas;
  /** The quotas the site is over (their names). */
  overQuota: string[];
  /** The server each of its resources lives on, by kind. */
  placement: Record<string, string>;
}

/** What a site uses (its database's size and connections, its cache's keys) against its plan's quotas. */
export async function siteUsage(deps: { db: Db; secrets: SecretBox; provisioners: Provisioners }, site: Site): Promise<SiteUsage> {
  const { db } = deps;
  const org = await db.selectFrom('organisations').select(['plan', 'quota_overrides']).where('id', '=', site.org_id).executeTakeFirstOrThrow();
  const quotas = quotasOf(org.plan, org.quota_overrides);
  const rows = await db.selectFrom('site_resources').selectAll().where('site_id', '=', site.id).execute();
  const usage: Record<string, number> = {};
  for (const row of rows) Object.assign(usage, await deps.provisioners.byKind(row.kind).usage(openResource(deps.secrets, row)));
  const databaseBytes = usage.databaseBytes ?? 0;
  const overQuota: string[] = [];
  if (databaseBytes > quotas.databaseMb * 1024 * 1024) overQuota.push('databaseMb');
  if (site.replicas > quotas.replicas) overQuota.push('replicas');
  if (site.memory_mb > quotas.memoryMb) overQuota.push('memoryMb');
  return {
    databaseBytes, databaseConnections: usage.connections ?? 0, cacheKeys: usage.cacheKeys ?? 0,
    quotas, overQuota, placement: Object.fromEntries(rows.map((r) => [r.kind, r.server])),
  };
}
