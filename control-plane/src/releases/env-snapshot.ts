// A release's env snapshot: the site's own env vars (not the platform's DATABASE_URL & co, which
// are built fresh) that the release runs with, sealed as one JSON object bound to that release.
// What a release and its one-off runs get is what its snapshot says; a rollback brings the
// snapshot back into site_env_vars. Releases older than snapshots (env_enc null) run with the
// site's current vars.
import type { SecretBox } from '../secrets/box.js';
import type { Db } from '../store/db.js';
import { deployDb, type Release } from './tables.js';

export type EnvVars = Record<string, string>;

/** Which names differ between two snapshots (never the values: this is shown to viewers). */
export interface EnvChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

export const envContext = (siteId: string, name: string): string => `site:${siteId}:env:${name}`;
export const releaseEnvContext = (siteId: string, releaseId: string): string => `site:${siteId}:release:${releaseId}:env`;

/** The site's own env vars as configured now (site_env_vars). */
export async function currentSiteEnv(db: Db, secrets: SecretBox, siteId: string): Promise<EnvVars> {
  const rows = await deployDb(db).selectFrom('site_env_vars').selectAll().where('site_id', '=', siteId).orderBy('name').execute();
  return Object.fromEntries(rows.map((r) => [r.name, secrets.open(r.value_enc, envContext(siteId, r.name))]));
}

/** Makes site_env_vars exactly `vars` (a rollback's snapshot), in the caller's transaction. */
export async function replaceSiteEnv(db: Db, secrets: SecretBox, siteId: string, vars: EnvVars): Promise<void> {
  const ddb = deployDb(db);
  await ddb.deleteFrom('site_env_vars').where('site_id', '=', siteId).execute();
  const rows = Object.entries(vars).map(([name, value]) => ({ site_id: siteId, name, value_enc: secrets.seal(value, envContext(siteId, name)) }));
  if (rows.length) await ddb.insertInto('site_env_vars').values(rows).execute();
}

export function sealEnvSnapshot(secrets: SecretBox, siteId: string, releaseId: string, vars: EnvVars): string {
  const sorted = Object.fromEntries(Object.entries(vars).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return secrets.seal(JSON.stringify(sorted), releaseEnvContext(siteId, releaseId));
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
