// Restoring a site's database from one of its backups. The backup goes into a fresh database on the
// same server, with a fresh role of the same name (the tenant server admits a site's containers
// only to the database named like their role); the site is then re-released against it (a `restore`
// release, which runs the release's migrations on it), and only when that release goes live does
// the site's record point at the new database. A restore that fails anywhere before leaves the site
// on its old database, untouched; the old database and role are kept for a day after a restore (so
// it can be taken back by hand), then dropped by the daily round.
//
// A job may run again (a worker killed half-way): before the re-release it starts over, dropping
// what an earlier attempt made; after, it waits for that release's outcome.
import { audit, type Actor } from '../audit/audit.js';
import { errors } from '../errors.js';
import type { Platform } from '../platform/platform.js';
import type { Provisioners, TenantResource } from '../provisioners/index.js';
import { compactId } from '../provisioners/provisioner.js';
import { currentRelease, insertRerelease, startRerelease } from '../releases/deploys.js';
import type { DeployRuntime } from '../platform/deploy-runtime.js';
import { credentialContext } from '../provisioners/index.js';
import type { Site } from '../store/schema.js';
import { randomSecret } from '../secrets/box.js';
import { findBackup, openStoredBackup, siteDatabase } from './backups.js';
import { dump, restore, targetOf } from './pg-tools.js';
import { archiveNow, recoverableSince, recoverDatabase, stanzaOf } from './point-in-time.js';
import { retentionOf } from './backups.js';
import { backupDb, type SiteRestore } from './tables.js';

/** How long the database a restore replaced is kept. */
export const KEEP_PREVIOUS_MS = 24 * 3_600_000;

const resourceContext = (restoreId: string, which: 'new' | 'previous') => `restore:${restoreId}:${which}`;

/** The restore's role and database: s_<site>_r<restore>, deterministic so a retried job finds what it made. */
function restoredName(siteId: string, restoreId: string): string {
  return `s_${compactId(siteId)}_r${compactId(restoreId).slice(0, 12)}`;
}

/** What a restore goes back to: one of the site's complete backups, or a moment of the archived WAL. */
export type RestoreSource = { backup: string } | { time: Date };

/**
 * The moments the site's database can be recovered to: since the later of its plan's window and
 * the oldest base backup of its server's stanza, until now. Undefined: its server is not archived.
 */
export async function recoveryWindow(p: Pick<Platform, 'db' | 'secrets' | 'config'>, site: Site): Promise<{ from: Date; to: Date } | undefined> {
  const database = await siteDatabase(p, site);
  const stanza = stanzaOf(p.config, database.server);
  if (!stanza) return undefined;
  const org = await p.db.selectFrom('organisations').select('plan').where('id', '=', site.org_id).executeTakeFirstOrThrow();
  const now = new Date();
  const since = await recoverableSince(p.config, stanza);
  const plan = new Date(now.getTime() - retentionOf(org.plan) * 86_400_000);
  return { from: since && since > plan ? since : plan, to: since ? now : plan };
}

/** Checks and records a restore of the site (from a backup, or to a moment), and queues it. */
export async function requestRestore(p: Pick<Platform, 'db' | 'secrets' | 'queues' | 'config'>, actor: Actor, site: Site, source: RestoreSource): Promise<SiteRestore> {
  let backupId: string | null = null;
  let time: Date | null = null;
  if ('backup' in source) {
    const backup = await findBackup(p, site, source.backup);
    if (backup.status !== 'complete') throw errors.backupNotReady(backup.id, backup.status);
    backupId = backup.id;
  } else {
    const window = await recoveryWindow(p, site);
    if (!window) throw errors.pointInTimeUnavailable(site.name);
    if (!(source.time >= window.from && source.time <= window.to)) throw errors.restoreTimeOutsideWindow(source.time.toISOString(), window.from.toISOString(), window.to.toISOString());
    time = source.time;
  }
  await siteDatabase(p, site);
  const db = backupDb(p.db);
  const busy = await db.selectFrom('deploys').select('kind').where('site_id', '=', site.id)
    .where('status', 'in', ['queued', 'building', 'releasing']).executeTakeFirst();
  if (busy) throw errors.deployInProgress(site.name, busy.kind);
  const row = await p.db.transaction().execute(async (tx) => {
    const r = await backupDb(tx).insertInto('site_restores').values({ site_id: site.id, backup_id: backupId, target_time: time, status: 'queued', created_by: actor.accountId })
      .returningAll().executeTakeFirstOrThrow()
      .catch((err: unknown) => { throw (err as { code?: string }).code === '23505' ? errors.restoreInProgress(site.name) : err; });
    await audit(tx, actor, { action: 'site.restore.requested', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { backup: backupId, time: time?.toISOString() ?? null, restore: r.id } });
    return r;
  });
  try {
    await p.queues.backup.add('restore', { restoreId: row.id }, { jobId: `restore-${row.id}`, attempts: 3 });
  } catch (err) {
    await db.updateTable('site_restores').set({ status: 'failed', error: 'could not be queued; try again', finished_at: new Date() }).where('id', '=', row.id).execute();
    throw err;
  }
  return row;
}

export async function findRestore(p: Pick<Platform, 'db'>, site: Pick<Site, 'id'>, id: string): Promise<SiteRestore | undefined> {
  return backupDb(p.db).selectFrom('site_restores').selectAll().where('id', '=', id).where('site_id', '=', site.id).executeTakeFirst();
}

/** Runs a restore to its end (succeeded or failed); safe to run again. */
export async function runRestore(deps: DeployRuntime, provisioners: Provisioners, restoreId: string): Promise<SiteRestore | undefined> {
  const p = deps.platform;
  const db = backupDb(p.db);
  let row = await db.selectFrom('site_restores').selectAll().where('id', '=', restoreId).executeTakeFirst();
  if (!row || row.status === 'succeeded' || row.status === 'failed') return row;
  const site = await db.selectFrom('sites').selectAll().where('id', '=', row.site_id).executeTakeFirstOrThrow();
  const seal = (r: TenantResource, which: 'new' | 'previous') => p.secrets.seal(JSON.stringify(r), resourceContext(restoreId, which));
  const open = (s: string, which: 'new' | 'previous') => JSON.parse(p.secrets.open(s, resourceContext(restoreId, which))) as TenantResource;

  if (!row.deploy_id) {
    const previous = row.previous_resource_enc ? open(row.previous_resource_enc, 'previous') : await siteDatabase(p, site);
    const name = restoredName(site.id, row.id);
    const fresh: TenantResource = row.new_resource_enc ? open(row.new_resource_enc, 'new')
      : { siteId: site.id, kind: 'postgres', server: previous.server, username: name, database: name, keyPrefix: null, password: randomSecret(24) };
    row = await db.updateTable('site_restores').set({ status: 'running', previous_resource_enc: seal(previous, 'previous'), new_resource_enc: seal(fresh, 'new') })
      .where('id', '=', restoreId).returningAll().executeTakeFirstOrThrow();
    // What an earlier attempt made goes first: pg_restore wants an empty database.
    await provisioners.postgres.destroy(fresh);
    const target = targetOf(provisioners.postgres.urlFor(fresh.server), name);
    if (row.target_time) {
      const stanza = stanzaOf(p.config, previous.server);
      if (!stanza) return finish(deps, provisioners, row, site, 'point-in-time restore is no longer set up for the site\'s database server');
      // A moment of the last minutes may still be in the server's current WAL segment: archived now.
      if (Date.now() - row.target_time.getTime() < 120_000) await archiveNow(p.config, stanza);
      const scratch = await recoverDatabase(p.config, stanza, previous.database ?? previous.username, row.target_time, target.user);
      try {
        await provisioners.postgres.ensure(fresh);
        const d = dump({ host: scratch.host, port: scratch.port, user: scratch.user, database: previous.database ?? previous.username });
        await Promise.all([restore(d.stdout, target, fresh.username), d.done]);
      } catch (err) {
        await provisioners.postgres.destroy(fresh).catch(() => undefined);
        throw err;
      } finally {
        await scratch.close();
      }
    } else {
      const backup = row.backup_id ? await db.selectFrom('site_backups').selectAll().where('id', '=', row.backup_id).executeTakeFirst() : undefined;
      if (!backup || backup.status !== 'complete') return finish(deps, provisioners, row, site, `the backup ${row.backup_id ?? ''} was deleted before the restore ran`);
      await provisioners.postgres.ensure(fresh);
      try {
        await restore(openStoredBackup(p, deps.artifacts, backup), target, fresh.username);
      } catch (err) {
        await provisioners.postgres.destroy(fresh).catch(() => undefined);
        throw err;
      }
    }
    if (!(await currentRelease(deps, site.id))) {
      // Nothing runs on the database yet: the record is switched at once.
      await p.db.updateTable('site_resources').set({ username: fresh.username, database: fresh.database, secret_enc: p.secrets.seal(fresh.password, credentialContext(site.id, 'postgres')) })
        .where('site_id', '=', site.id).where('kind', '=', 'postgres').execute();
      return finish(deps, provisioners, row, site);
    }
    const queued = await p.db.transaction().execute(async (tx) => {
      const q = await insertRerelease(deps, tx, site, 'restore', { database: fresh, createdBy: row!.created_by });
      await backupDb(tx).updateTable('site_restores').set({ status: 'releasing', deploy_id: q.deploy.id }).where('id', '=', restoreId).execute();
      return q;
    });
    await startRerelease(deps, queued);
    row = { ...row, status: 'releasing', deploy_id: queued.deploy.id };
  }
  const deployId = row.deploy_id!;
  const outcome = await deployOutcome(deps, deployId);
  return finish(deps, provisioners, row, site, outcome.status === 'failed' ? `the restored database's release failed: ${outcome.error ?? 'see its log'}` : undefined);
}

/** Waits for the restore's release to end (it runs on the deploy queue). */
async function deployOutcome(deps: DeployRuntime, deployId: string): Promise<{ status: string; error: string | null }> {
  for (;;) {
    const d = await backupDb(deps.platform.db).selectFrom('deploys').select(['status', 'error']).where('id', '=', deployId).executeTakeFirstOrThrow();
    if (d.status === 'succeeded' || d.status === 'failed') return d;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function finish(deps: DeployRuntime, provisioners: Provisioners, row: SiteRestore, site: Site, failure?: string): Promise<SiteRestore> {
  const p = deps.platform;
  const db = backupDb(p.db);
  if (failure && row.new_resource_enc) {
    const fresh = JSON.parse(p.secrets.open(row.new_resource_enc, resourceContext(row.id, 'new'))) as TenantResource;
    await provisioners.postgres.destroy(fresh).catch((err: unknown) => p.logger.warn({ err, restore: row.id }, 'could not drop a failed restore\'s database'));
  }
  const done = await db.updateTable('site_restores').set(failure
    ? { status: 'failed', error: failure.slice(0, 2000), finished_at: new Date() }
    : { status: 'succeeded', keep_until: new Date(Date.now() + KEEP_PREVIOUS_MS), finished_at: new Date() })
    .where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
  await audit(p.db, { accountId: row.created_by, label: 'system' }, {
    action: failure ? 'site.restore.failed' : 'site.restore.succeeded', targetType: 'site', targetId: site.id, orgId: site.org_id,
    details: { restore: row.id, backup: row.backup_id, time: row.target_time?.toISOString() ?? null, ...(failure ? { error: failure } : {}) },
  });
  return done;
}

/** Marks a restore whose job gave up as failed, dropping what it made (the site never switched to it). */
export async function failRestore(deps: DeployRuntime, provisioners: Provisioners, restoreId: string, reason: string): Promise<void> {
  const row = await backupDb(deps.platform.db).selectFrom('site_restores').selectAll().where('id', '=', restoreId).executeTakeFirst();
  if (!row || row.status === 'succeeded' || row.status === 'failed' || row.deploy_id) return;
  const site = await backupDb(deps.platform.db).selectFrom('sites').selectAll().where('id', '=', row.site_id).executeTakeFirstOrThrow();
  await finish(deps, provisioners, row, site, reason);
}

/** Drops the databases (and roles) restores replaced once their day is over (not one a site uses again), or all of a deleted site's. */
export async function dropReplacedDatabases(
  p: Pick<Platform, 'db' | 'secrets' | 'logger'>, provisioners: Provisioners, opts: { now?: Date; siteId?: string } = {},
): Promise<number> {
  const db = backupDb(p.db);
  const now = opts.now ?? new Date();
  // A site's own (it is being deleted): all of them, whatever their day.
  const rows = await db.selectFrom('site_restores').selectAll().where('status', '=', 'succeeded').where('previous_dropped_at', 'is', null)
    .$if(opts.siteId === undefined, (q) => q.where('keep_until', '<', now))
    .$if(opts.siteId !== undefined, (q) => q.where('site_id', '=', opts.siteId!))
    .execute();
  let dropped = 0;
  for (const r of rows) {
    if (r.previous_resource_enc) {
      const previous = JSON.parse(p.secrets.open(r.previous_resource_enc, resourceContext(r.id, 'previous'))) as TenantResource;
      const current = await db.selectFrom('site_resources').select('username').where('site_id', '=', r.site_id).where('kind', '=', 'postgres').executeTakeFirst();
      if (current?.username !== previous.username) {
        await provisioners.postgres.destroy(previous);
        dropped++;
      }
    }
    await db.updateTable('site_restores').set({ previous_dropped_at: now }).where('id', '=', r.id).execute();
  }
  return dropped;
}
