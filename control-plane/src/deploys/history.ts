// A site's deploys and releases as people list them: newest first, every one kept.
import { errors } from '../errors.js';
import type { Db } from '../store/db.js';
import type { Deploy, Release, Site } from '../store/schema.js';

export async function listDeploys(db: Db, siteId: string): Promise<Deploy[]> {
  return db.selectFrom('deploys').selectAll().where('site_id', '=', siteId).orderBy('created_at', 'desc').limit(100).execute();
}

/** One of the site's deploys; another site's answers as if it did not exist. */
export async function findDeploy(db: Db, siteId: string, deployId: string): Promise<Deploy> {
  const d = await db.selectFrom('deploys').selectAll().where('id', '=', deployId).where('site_id', '=', siteId).executeTakeFirst();
  if (!d) throw errors.deployNotFound(deployId);
  return d;
}

/** A deploy as it is now (after following its log to the end). */
export async function reloadDeploy(db: Db, deployId: string): Promise<Deploy> {
  return db.selectFrom('deploys').selectAll().where('id', '=', deployId).executeTakeFirstOrThrow();
}

/** The version of the release a deploy made, once it made one. */
export async function releaseVersionOf(db: Db, deploy: Pick<Deploy, 'release_id'>): Promise<number | null> {
  if (!deploy.release_id) return null;
  const rel = await db.selectFrom('releases').select('version').where('id', '=', deploy.release_id).executeTakeFirst();
  return rel?.version ?? null;
}

export type ReleaseSummary = Pick<Release, 'version' | 'kind' | 'status' | 'description' | 'replicas' | 'error' | 'created_at' | 'live_at' | 'env_changes'>;

/** The site's releases; the changed env var names were recorded with each one, so listing decrypts no snapshot. */
export async function listReleases(db: Db, siteId: string): Promise<ReleaseSummary[]> {
  return db.selectFrom('releases')
    .select(['version', 'kind', 'status', 'description', 'replicas', 'error', 'created_at', 'live_at', 'env_changes'])
    .where('site_id', '=', siteId).orderBy('version', 'desc').limit(200).execute();
}

/** The version of the site's live release, if it has one. */
export async function liveReleaseVersion(db: Db, siteId: string): Promise<number | undefined> {
  const live = await db.selectFrom('releases').select('version').where('site_id', '=', siteId).where('status', '=', 'live').executeTakeFirst();
  return live?.version;
}

/**
 * What a rollback without a version goes back to: the release before the current one, whatever its
 * kind (deploy, env, scale, rollback), as `paddock releases` lists them: rolling back an env change undoes it.
 */
export async function releaseBeforeLive(db: Db, site: Pick<Site, 'id' | 'name'>): Promise<number> {
  const live = await db.selectFrom('releases').select(['version']).where('site_id', '=', site.id).where('status', '=', 'live').executeTakeFirst();
  if (!live) throw errors.noRelease(site.name);
  const before = await db.selectFrom('releases').select('version').where('site_id', '=', site.id)
    .where('status', '=', 'superseded').where('version', '<', live.version)
    .orderBy('version', 'desc').executeTakeFirst();
  if (!before) throw errors.releaseNotFound('before the current one');
  return before.version;
}
