// Per-site logical backups: a `pg_dump -Fc` of the site's database, sealed as it streams
// (backup-cipher.ts) into the artifact store, then read back through `pg_restore --list`; only a
// backup that passed that check is `complete`, and only complete backups are listed. Taken on
// demand and by the daily round, kept for the plan's retention window (the newest complete one is
// always kept). A job may run again (a worker killed half-way): it starts the dump over, and the
// artifact store only ever shows a fully written file.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { errors } from '../errors.js';
import type { Platform } from '../platform/platform.js';
import { openResource, type Provisioners, type TenantResource } from '../provisioners/index.js';
import type { Site } from '../store/schema.js';
import { decryptBackup, encryptBackup } from './backup-cipher.js';
import { dump, list, targetOf } from './pg-tools.js';
import { backupDb, type SiteBackup } from './tables.js';

type BackupPlatform = Pick<Platform, 'db' | 'secrets' | 'config' | 'queues' | 'logger'>;

/** Days a plan keeps its sites' backups (a plan not listed keeps the free plan's). */
export const retentionDays: Record<string, number> = { free: 1, pro: 7, business: 30 };

export const retentionOf = (plan: string): number => retentionDays[plan] ?? retentionDays.free!;

/** The days an organisation's plan keeps its sites' backups. */
export async function orgRetention(platform: Pick<Platform, 'db'>, orgId: string): Promise<number> {
  const org = await platform.db.selectFrom('organisations').select('plan').where('id', '=', orgId).executeTakeFirstOrThrow();
  return retentionOf(org.plan);
}

export const artifactKey = (siteId: string, backupId: string): string => `backups/${siteId}/${backupId}.dump.enc`;

/** The site's database as its stored resource record says. */
export async function siteDatabase(p: Pick<Platform, 'db' | 'secrets'>, site: Pick<Site, 'id' | 'name' | 'status'>): Promise<TenantResource> {
  const row = await p.db.selectFrom('site_resources').selectAll().where('site_id', '=', site.id).where('kind', '=', 'postgres').executeTakeFirst();
  if (!row) throw errors.siteState(site.name, site.status, 'be backed up yet', 'it has no database: wait until it is ready (`paddock info` shows its status)');
  return openResource(p.secrets, row);
}

/**
 * Records a backup of the site and queues it; a backup of the site still running is answered
 * instead of a second one.
 */
export async function requestBackup(p: BackupPlatform, site: Site, trigger: 'manual' | 'scheduled', createdBy: string | null): Promise<SiteBackup> {
  await siteDatabase(p, site);
  const db = backupDb(p.db);
  const running = await db.selectFrom('site_backups').selectAll().where('site_id', '=', site.id).where('status', '=', 'running').executeTakeFirst();
  if (running) return running;
  const row = await db.insertInto('site_backups').values({ site_id: site.id, trigger, status: 'running', created_by: createdBy }).returningAll().executeTakeFirstOrThrow();
  try {
    await p.queues.backup.add('backup', { backupId: row.id }, { jobId: `backup-${row.id}` });
  } catch (err) {
    await db.updateTable('site_backups').set({ status: 'failed', error: 'could not be queued; try again', completed_at: new Date() }).where('id', '=', row.id).execute();
    throw err;
  }
  return row;
}

/** Takes the backup: dump, seal and store, read it back; then it is complete. Runs again safely. */
export async function runBackup(
  p: Pick<Platform, 'db' | 'secrets' | 'config'>, artifacts: ArtifactStore, provisioners: Provisioners, backupId: string,
): Promise<SiteBackup | undefined> {
  const db = backupDb(p.db);
  const row = await db.selectFrom('site_backups').selectAll().where('id', '=', backupId).executeTakeFirst();
  if (!row || row.status !== 'running') return row;
  const site = await db.selectFrom('sites').selectAll().where('id', '=', row.site_id).executeTakeFirstOrThrow();
  const database = await siteDatabase(p, site);
  const key = artifactKey(site.id, row.id);
  await provisioners.postgres.takeRole(database);
  const d = dump(targetOf(provisioners.postgres.urlFor(database.server), database.database ?? database.username));
  const [stored] = await Promise.all([
    artifacts.put(key, d.stdout.pipe(encryptBackup(p.config.masterKey, row.id))),
    d.done,
  ]).catch(async (err: unknown) => {
    d.stdout.destroy();
    await artifacts.delete(key).catch(() => undefined);
    throw err;
  });
  // Verified from what was stored, not what was sent: the file a restore will read.
  const manifest = await list(openStoredBackup(p, artifacts, { id: row.id, artifact_key: key })).catch(async (err: unknown) => {
    await artifacts.delete(key).catch(() => undefined);
    throw new Error(`the stored backup does not read back: ${(err as Error).message}`);
  });
  return db.updateTable('site_backups').set({
    status: 'complete', artifact_key: key, size: stored.size, sha256: stored.sha256,
    manifest: JSON.stringify(manifest), completed_at: new Date(),
  }).where('id', '=', row.id).where('status', '=', 'running').returningAll().executeTakeFirst();
}

/** A backup whose job gave up: recorded with its reason, its file (if any) removed. */
export async function failBackup(p: Pick<Platform, 'db'>, artifacts: ArtifactStore, backupId: string, reason: string): Promise<void> {
  const db = backupDb(p.db);
  const row = await db.updateTable('site_backups').set({ status: 'failed', error: reason.slice(0, 2000), completed_at: new Date() })
    .where('id', '=', backupId).where('status', '=', 'running').returningAll().executeTakeFirst();
  if (row) await artifacts.delete(artifactKey(row.site_id, row.id)).catch(() => undefined);
}

/** The plain `pg_dump -Fc` archive of a stored backup, opened as it streams. */
export function openStoredBackup(p: Pick<Platform, 'config'>, artifacts: ArtifactStore, backup: Pick<SiteBackup, 'id' | 'artifact_key'>): Readable {
  if (!backup.artifact_key) throw new Error(`backup ${backup.id} has no stored file`);
  const source = artifacts.get(backup.artifact_key);
  const plain = decryptBackup(p.config.masterKey, backup.id);
  pipeline(source, plain).catch(() => undefined); // an error reaches the reader through `plain`
  return plain;
}

/** A backup of this site by id (any status), or PDK_BACKUP_NOT_FOUND — also for another site's id. */
export async function findBackup(p: Pick<Platform, 'db'>, site: Pick<Site, 'id'>, id: string): Promise<SiteBackup> {
  const row = await backupDb(p.db).selectFrom('site_backups').selectAll().where('id', '=', id).where('site_id', '=', site.id).executeTakeFirst();
  if (!row) throw errors.backupNotFound(id);
  return row;
}

export async function completeBackups(p: Pick<Platform, 'db'>, siteId: string): Promise<SiteBackup[]> {
  return backupDb(p.db).selectFrom('site_backups').selectAll().where('site_id', '=', siteId).where('status', '=', 'complete')
    .orderBy('completed_at', 'desc').execute();
}

export async function deleteBackup(p: Pick<Platform, 'db'>, artifacts: ArtifactStore, backup: SiteBackup): Promise<void> {
  await backupDb(p.db).deleteFrom('site_backups').where('id', '=', backup.id).execute();
  if (backup.artifact_key) await artifacts.delete(backup.artifact_key);
}

/**
 * Backups past their plan's window, except each site's newest complete one; failed and
 * abandoned ones too. Returns how many went.
 */
export async function expireBackups(p: Pick<Platform, 'db'>, artifacts: ArtifactStore, now = new Date()): Promise<number> {
  const db = backupDb(p.db);
  const rows = await db.selectFrom('site_backups').innerJoin('sites', 'sites.id', 'site_backups.site_id')
    .innerJoin('organisations', 'organisations.id', 'sites.org_id')
    .selectAll('site_backups').select('organisations.plan')
    .where((eb) => eb.or([eb('site_backups.status', '<>', 'running'), eb('site_backups.started_at', '<', new Date(now.getTime() - 2 * 86_400_000))]))
    .execute();
  const newest = new Map<string, string>();
  for (const r of rows) {
    if (r.status !== 'complete' || !r.completed_at) continue;
    const best = rows.find((x) => x.id === newest.get(r.site_id));
    if (!best?.completed_at || best.completed_at < r.completed_at) newest.set(r.site_id, r.id);
  }
  let expired = 0;
  for (const r of rows) {
    const ageDays = (now.getTime() - (r.completed_at ?? r.started_at).getTime()) / 86_400_000;
    if (newest.get(r.site_id) === r.id || ageDays < retentionOf(r.plan)) continue;
    await deleteBackup(p, artifacts, r);
    expired++;
  }
  return expired;
}

/** The daily round's backups: each live site with a database and no backup started in the last 20 hours. */
export async function scheduleDailyBackups(p: BackupPlatform, now = new Date()): Promise<number> {
  const db = backupDb(p.db);
  const since = new Date(now.getTime() - 20 * 3_600_000);
  const sites = await db.selectFrom('sites').innerJoin('site_resources', 'site_resources.site_id', 'sites.id').selectAll('sites')
    .where('site_resources.kind', '=', 'postgres').where('sites.status', 'in', ['ready', 'suspended'])
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('site_backups').select(sql`1`.as('one'))
      .whereRef('site_backups.site_id', '=', 'sites.id').where('site_backups.started_at', '>', since).where('site_backups.status', '<>', 'failed'))))
    .execute();
  for (const site of sites) await requestBackup(p, site, 'scheduled', null);
  return sites.length;
}

/** A deleted site's backups and their files (its teardown). */
export async function deleteSiteBackups(p: Pick<Platform, 'db'>, artifacts: ArtifactStore, siteId: string): Promise<void> {
  for (const b of await backupDb(p.db).selectFrom('site_backups').selectAll().where('site_id', '=', siteId).execute()) await deleteBackup(p, artifacts, b);
}
