// The teardown queue's job: remove everything a deleted site had — its database and role (and those
// a restore replaced), its backups, its cache user and keys, its containers and network, its route and domains — then mark it deleted. Each removal is idempotent and its record dropped
// only after it succeeded, so a retry after a crash finishes the work without error.
import type { Worker } from 'bullmq';
import type { Platform } from '../platform/platform.js';
import { audit, systemActor } from '../audit/audit.js';
import { openResource } from '../provisioners/index.js';
import { deployRuntimeOf } from '../platform/deploy-runtime.js';
import { deleteSiteBackups } from '../backups/backups.js';
import { dropReplacedDatabases } from '../backups/restores.js';
import { startJobWorker, type JobContext, type WorkerOptions } from './provision.js';
import { queueNames, type TeardownJob } from '../platform/queues.js';

export async function teardownSite(ctx: JobContext, siteId: string): Promise<'deleted' | 'skipped'> {
  const { db, secrets } = ctx.platform;
  return ctx.locks.withLock(siteId, async () => {
    const site = await db.selectFrom('sites').select(['id', 'status', 'org_id', 'name']).where('id', '=', siteId).executeTakeFirst();
    if (!site || (site.status !== 'deleting' && site.status !== 'deleted')) return 'skipped';
    const rows = await db.selectFrom('site_resources').selectAll().where('site_id', '=', siteId).execute();
    for (const row of rows) {
      await ctx.provisioners.byKind(row.kind).destroy(openResource(secrets, row));
      await db.deleteFrom('site_resources').where('site_id', '=', siteId).where('kind', '=', row.kind).execute();
      await ctx.hooks.afterStep?.(row.kind === 'postgres' ? 'postgres-removed' : 'redis-removed', siteId);
    }
    // Databases restores replaced (kept a day for an undo), and backups: nothing of the site stays.
    await dropReplacedDatabases(ctx.platform, ctx.provisioners, { siteId });
    await deleteSiteBackups(ctx.platform, deployRuntimeOf(ctx.platform).artifacts, siteId);
    // Containers and the network are named after the site, and its name is free again once it is
    // deleted: left behind, they (and their logs) would pass to the next site of that name.
    const deployed = await db.selectFrom('deploys').select('id').where('site_id', '=', siteId).limit(1).executeTakeFirst();
    if (deployed) await deployRuntimeOf(ctx.platform).driver.removeSite(site.name); // a site never deployed has none: no engine call
    const route = await db.deleteFrom('site_routes').where('site_id', '=', siteId).executeTakeFirst();
    await db.deleteFrom('site_domains').where('site_id', '=', siteId).execute();
    if (deployed || route.numDeletedRows > 0n) await deployRuntimeOf(ctx.platform).edge.changed(5000).catch(() => undefined);
    const res = await db.updateTable('sites').set({ status: 'deleted', deleted_at: new Date(), updated_at: new Date(), secret_key_enc: null })
      .where('id', '=', siteId).where('status', '=', 'deleting').executeTakeFirst();
    if (res.numUpdatedRows > 0n) await audit(db, systemActor, { action: 'site.deleted', targetType: 'site', targetId: siteId, orgId: site.org_id });
    await ctx.hooks.afterStep?.('deleted', siteId);
    return 'deleted';
  });
}

export function startTeardownWorker(platform: Platform, options: WorkerOptions = {}): Worker<TeardownJob> {
  return startJobWorker<TeardownJob>(platform, queueNames.teardown, (ctx, job) => teardownSite(ctx, job.data.siteId), options);
}
