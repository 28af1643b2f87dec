// A release's env snapshot: the site's own env vars (not the platform's DATABASE_URL & co, which
// are built fresh) that the release runs with, sealed as one JSON object bound to that release.
// What a release and its one-off runs get is what its snapshot says; a rollback brings the
// snapshot back into site_env_vars. Releases older than snapshots (env_enc null) run with the
// site's current vars.
// Every change to site_env_vars bumps the site's env version (site_env_versions), taken with a row
// lock, so an env change and a rollback never overwrite each other unseen.
import { sql } from 'kysely';
import type { SecretBox } from '../secrets/box.js';
import type { Db } from '../store/db.js';
import type { Deploy, EnvChangeNames, Release } from '../store/schema.js';

export type EnvVars = Record<string, string>;

/** Which names differ between two snapshots (never the values: this is shown to viewers). */
export type EnvChanges = EnvChangeNames;

/**
 * The most a site's own env vars may total (names + values, UTF-8): a Docker container's env and
 * execve's argument space both have limits, and every release carries a copy.
 */
export const MAX_ENV_BYTES = 64 * 1024;

export function envSize(vars: EnvVars): number {
  return Object.entries(vars).reduce((n, [name, value]) => n + Buffer.byteLength(name) + Buffer.byteLength(value), 0);
}

/**
 * Locks the site's env version row until the caller's transaction ends (the row is made on first
 * use) and returns the version: whoever changes site_env_vars holds this lock.
 */
export async function lockEnvVersion(tx: Db, siteId: string): Promise<number> {
  await tx.insertInto('site_env_versions').values({ site_id: siteId }).onConflict((oc) => oc.column('site_id').doNothing()).execute();
  const row = await tx.selectFrom('site_env_versions').select('version').where('site_id', '=', siteId).forUpdate().executeTakeFirstOrThrow();
  return row.version;
}

/** After a change to site_env_vars, under lockEnvVersion's lock: the new version. */
export async function bumpEnvVersion(tx: Db, siteId: string): Promise<number> {
  const row = await tx.updateTable('site_env_versions').set({ version: sql<number>`version + 1` })
    .where('site_id', '=', siteId).returning('version').executeTakeFirstOrThrow();
  return row.version;
}

/** The site's env version now (0 before its first change). */
export async function envVersion(db: Db, siteId: string): Promise<number> {
  const row = await db.selectFrom('site_env_versions').select('version').where('site_id', '=', siteId).executeTakeFirst();
  return row?.version ?? 0;
}

export const envContext = (siteId: string, name: string): string => `site:${siteId}:env:${name}`;
export const deployEnvContext = (siteId: string, deployId: string): string => `site:${siteId}:deploy:${deployId}:env`;
export const releaseEnvContext = (siteId: string, releaseId: string): string => `site:${siteId}:release:${releaseId}:env`;

/** The site's own env vars as configured now (site_env_vars). */
export async function currentSiteEnv(db: Db, secrets: SecretBox, siteId: string): Promise<EnvVars> {
  const rows = await db.selectFrom('site_env_vars').selectAll().where('site_id', '=', siteId).orderBy('name').execute();
  return Object.fromEntries(rows.map((r) => [r.name, secrets.open(r.value_enc, envContext(siteId, r.name))]));
}

/** Makes site_env_vars exactly `vars` (a rollback's snapshot), in the caller's transaction. */
export async function replaceSiteEnv(db: Db, secrets: SecretBox, siteId: string, vars: EnvVars): Promise<void> {
  await db.deleteFrom('site_env_vars').where('site_id', '=', siteId).execute();
  const rows = Object.entries(vars).map(([name, value]) => ({ site_id: siteId, name, value_enc: secrets.seal(value, envContext(siteId, name)) }));
  if (rows.length) await db.insertInto('site_env_vars').values(rows).execute();
}

export function sealEnvSnapshot(secrets: SecretBox, siteId: string, releaseId: string, vars: EnvVars): string {
  const sorted = Object.fromEntries(Object.entries(vars).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return secrets.seal(JSON.stringify(sorted), releaseEnvContext(siteId, releaseId));
}

/** An env change's vars as its PATCH made them, sealed to its deploy. */
export function sealDeployEnv(secrets: SecretBox, siteId: string, deployId: string, vars: EnvVars): string {
  return secrets.seal(JSON.stringify(vars), deployEnvContext(siteId, deployId));
}

/** The vars an env change's deploy carries; undefined for other deploys (they take the site's current vars). */
export function openDeployEnv(secrets: SecretBox, deploy: Pick<Deploy, 'id' | 'site_id' | 'env_enc'>): EnvVars | undefined {
  if (!deploy.env_enc) return undefined;
  return JSON.parse(secrets.open(deploy.env_enc, deployEnvContext(deploy.site_id, deploy.id))) as EnvVars;
}

/** The release's snapshot; undefined for a release made before snapshots existed. */
export function openEnvSnapshot(secrets: SecretBox, rel: Pick<Release, 'id' | 'site_id' | 'env_enc'>): EnvVars | undefined {
  if (!rel.env_enc) return undefined;
  return JSON.parse(secrets.open(rel.env_enc, releaseEnvContext(rel.site_id, rel.id))) as EnvVars;
}

export function envChanges(before: EnvVars, after: EnvVars): EnvChanges {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const has = (o: EnvVars, n: string) => Object.prototype.hasOwnProperty.call(o, n);
  return {
    added: names.filter((n) => !has(before, n) && has(after, n)),
    removed: names.filter((n) => has(before, n) && !has(after, n)),
    changed: names.filter((n) => has(before, n) && has(after, n) && before[n] !== after[n]),
  };
}
