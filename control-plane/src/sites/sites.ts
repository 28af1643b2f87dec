// Creating, changing and ending sites — shared by the owners' API and the operators' admin API.
// Each checks the state machine and the plan's quotas, records the change in the audit log, and
// hands the slow part (databases, caches) to a job.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { errors } from '../errors.js';
import type { Platform } from '../platform/platform.js';
import type { Site } from '../store/schema.js';
import { audit, type Actor } from '../audit/audit.js';
import { randomSecret } from '../secrets/box.js';
import { quotasOf } from '../orgs/plans.js';
import { abortOneOffs } from './running-one-offs.js';
import { transition } from './status.js';

type Deps = Pick<Platform, 'db' | 'queues' | 'secrets' | 'logger'>;

/** Names that would shadow the platform's own hosts. */
export const reservedSiteNames = new Set(['www', 'api', 'admin', 'dashboard', 'app', 'docs', 'status', 'mail', 'edge', 'paddock', 'localhost']);

export function secretKeyContext(siteId: string): string {
  return `site:${siteId}:secret-key`;
}

export interface SiteSize {
  replicas?: number | undefined;
  memoryMb?: number | undefined;
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === '23505';
}

async function checkSize(org: { plan: string; quota_overrides: Record<string, number> }, size: Required<SiteSize>) {
  const q = quotasOf(org.plan, org.quota_overrides);
  if (size.replicas > q.replicas) throw errors.quotaExceeded('replicas per site', q.replicas, org.plan);
  if (size.memoryMb > q.memoryMb) throw errors.quotaExceeded('MiB of memory per replica', q.memoryMb, org.plan);
}

/**
 * The job that brings a site's resources to its status. Its id names the status change (the
 * site's updated_at), so the API and the workers' sweep (enqueuePending) may both add it: the
 * second add is a no-op.
 */
export async function enqueueProvision(deps: Pick<Platform, 'queues'>, site: Pick<Site, 'id' | 'status' | 'updated_at'>): Promise<void> {
  const jobId = site.status === 'provisioning' ? `provision-${site.id}` : `reconcile-${site.id}-${site.updated_at.getTime()}`;
  await deps.queues.provision.add('provision', { siteId: site.id }, { jobId });
}

export async function enqueueTeardown(deps: Pick<Platform, 'queues'>, siteId: string): Promise<void> {
  await deps.queues.teardown.add('teardown', { siteId }, { jobId: `teardown-${siteId}` });
}

/**
 * The change is committed; its job is queued now if Redis answers, else by the workers' next
 * sweep — the request does not fail for it.
 */
async function queueSoon(deps: Deps, site: Site, add: () => Promise<void>): Promise<void> {
  try {
    await add();
  } catch (err) {
    deps.logger.warn({ err, siteId: site.id, status: site.status }, 'could not queue the site job now; the workers will pick it up');
  }
}

export async function createSite(deps: Deps, actor: Actor, orgId: string, name: string, size: SiteSize = {}): Promise<Site> {
  if (reservedSiteNames.has(name)) throw errors.siteNameTaken(name);
  const id = randomUUID();
  let site: Site;
  try {
    site = await deps.db.transaction().execute(async (trx) => {
      // The organisation's row lock serialises its site creations, so a burst cannot slip past the quota.
      const org = await trx.selectFrom('organisations').select(['id', 'plan', 'quota_overrides']).where('id', '=', orgId).forUpdate().executeTakeFirstOrThrow();
      const quotas = quotasOf(org.plan, org.quota_overrides);
      const wanted = { replicas: size.replicas ?? 1, memoryMb: size.memoryMb ?? Math.min(256, quotas.memoryMb) };
      await checkSize(org, wanted);
      const { n } = await trx.selectFrom('sites').select(sql<number>`count(*)::int`.as('n')).where('org_id', '=', orgId).where('status', '<>', 'deleted').executeTakeFirstOrThrow();
      if (n >= quotas.sites) throw errors.quotaExceeded('sites', quotas.sites, org.plan);
      const row = await trx.insertInto('sites').values({
        id, org_id: orgId, name, status: 'provisioning', replicas: wanted.replicas, memory_mb: wanted.memoryMb,
        secret_key_enc: deps.secrets.seal(randomSecret(48), secretKeyContext(id)),
      }).returningAll().executeTakeFirstOrThrow();
      await audit(trx, actor, { action: 'site.create', targetType: 'site', targetId: id, orgId, details: { name, ...wanted } });
      return row;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw errors.siteNameTaken(name);
    throw e;
  }
  await queueSoon(deps, site, () => enqueueProvision(deps, site));
  return site;
}

/**
 * Refuses a change that takes a new release (deploy, env vars, scale, rollback, domains) while the
 * site is suspended: it runs no release until it is resumed, so the change would fail half-done.
 */
export function refuseWhileSuspended(site: Pick<Site, 'name' | 'status'>, change: string): void {
  if (site.status === 'suspended') throw errors.siteSuspended(site.name, change);
}

export async function resizeSite(deps: Deps, actor: Actor, site: Site, size: SiteSize): Promise<Site> {
  refuseWhileSuspended(site, 'scaling');
  const org = await deps.db.selectFrom('organisations').select(['plan', 'quota_overrides']).where('id', '=', site.org_id).executeTakeFirstOrThrow();
  const wanted = { replicas: size.replicas ?? site.replicas, memoryMb: size.memoryMb ?? site.memory_mb };
  await checkSize(org, wanted);
  const row = await deps.db.updateTable('sites').set({ replicas: wanted.replicas, memory_mb: wanted.memoryMb, updated_at: new Date() })
    .where('id', '=', site.id).where('status', '<>', 'deleted').returningAll().executeTakeFirst();
  if (!row) throw errors.siteNotFound(site.name);
  await audit(deps.db, actor, { action: 'site.resize', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { from: { replicas: site.replicas, memoryMb: site.memory_mb }, to: wanted } });
  return row;
}

export async function suspendSite(deps: Deps, actor: Actor, site: Site, by: 'owner' | 'operator'): Promise<Site> {
  const row = await transition(deps.db, site, 'suspended', by);
  abortOneOffs(site.id); // its database refuses them now; the teardown or a sweep ends others' (other API processes)
  await audit(deps.db, actor, { action: 'site.suspend', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { by } });
  await queueSoon(deps, row, () => enqueueProvision(deps, row));
  return row;
}

export async function resumeSite(deps: Deps, actor: Actor, site: Site, by: 'owner' | 'operator'): Promise<Site> {
  // An operator's suspension (abuse, unpaid bills) is not the owner's to lift.
  if (by === 'owner' && site.status === 'suspended' && site.status_reason === 'operator') {
    throw errors.siteState(site.name, 'suspended by an operator', 'be resumed by its owner', "ask the platform's operator to resume it");
  }
  const row = await transition(deps.db, site, 'ready', null);
  await audit(deps.db, actor, { action: 'site.resume', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { by } });
  await queueSoon(deps, row, () => enqueueProvision(deps, row));
  return row;
}

export async function deleteSite(deps: Deps, actor: Actor, site: Site): Promise<Site> {
  const row = await transition(deps.db, site, 'deleting', null);
  abortOneOffs(site.id); // attached to the site's network, they would keep the teardown from removing it
  await audit(deps.db, actor, { action: 'site.delete', targetType: 'site', targetId: site.id, orgId: site.org_id });
  await queueSoon(deps, row, () => enqueueTeardown(deps, row.id));
  return row;
}

/** How far back the sweep looks for suspensions and resumptions whose job may be missing. */
const RECENT_CHANGE_MS = 10 * 60_000;

/**
 * Sites whose job never reached the queue (Redis was away when the API committed the change)
 * are queued here, at worker start and then periodically; job ids make re-adding a queued or
 * recently finished job a no-op.
 */
export async function enqueuePending(platform: Pick<Platform, 'db' | 'queues'>): Promise<number> {
  const pending = await platform.db.selectFrom('sites').select(['id', 'status', 'updated_at'])
    .where((eb) => eb.or([
      eb('status', 'in', ['provisioning', 'deleting']),
      eb.and([eb('status', 'in', ['ready', 'suspended']), eb('updated_at', '>', new Date(Date.now() - RECENT_CHANGE_MS))]),
    ])).execute();
  for (const s of pending) {
    if (s.status === 'deleting') await enqueueTeardown(platform, s.id);
    else await enqueueProvision(platform, s);
  }
  return pending.length;
}
