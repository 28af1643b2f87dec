// A site's own environment variables: stored encrypted, never shown to viewers, and every change
// makes a new release (the same slug with the new environment) when the site is live. Each release
// keeps a sealed snapshot of them; a rollback makes these its target's vars again.
// A change takes the site's env version lock, is refused while a rollback is under way (the
// rollback would replace it), and its release carries exactly the vars it made. A change whose
// release fails is undone (runDeploy puts the live release's vars back), so what is read here is what runs.
// A change that changes nothing (removing a var that is not set, setting one to the value it has)
// is `changed: false` and makes no release. Changes are audited by name, never by value.
import { errors } from '../errors.js';
import { audit, type Actor } from '../audit/audit.js';
import type { Platform } from '../platform/platform.js';
import { currentRelease, insertRerelease, rollbackInFlight, startRerelease } from '../releases/deploys.js';
import type { DeployRuntime } from '../platform/deploy-runtime.js';
import { bumpEnvVersion, currentSiteEnv, envContext, envSize, lockEnvVersion, MAX_ENV_BYTES, type EnvVars } from '../releases/env-snapshot.js';
import { refuseWhileSuspended } from '../sites/sites.js';
import type { Deploy, Site } from '../store/schema.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Set by the platform: a site may not override them. */
export const RESERVED = new Set(['DATABASE_URL', 'CACHE_URL', 'CACHE_KEY_PREFIX', 'SECRET_KEY', 'PORT', 'HOST', 'ALLOWED_HOSTS', 'HOME', 'NODE_ENV', 'NODE_OPTIONS', 'PATH',
  'PADDOCK_MEDIA_ROOT', 'PADDOCK_MEDIA_QUOTA_BYTES', 'PADDOCK_SECURE_PROXY_SSL_HEADER']);

/** Refuses what is not a variable name. */
export function checkEnvName(name: string): void {
  if (!NAME.test(name)) throw errors.validation(`"${name}" is not a variable name (letters, digits and _, not starting with a digit)`);
}

/** The site's own vars as configured now (what its live release runs, once any change in flight is done). */
export function readSiteEnv(platform: Pick<Platform, 'db' | 'secrets'>, siteId: string): Promise<EnvVars> {
  return currentSiteEnv(platform.db, platform.secrets, siteId);
}

/**
 * Sets (a string) or removes (null) vars; a live site gets a new release with them, queued once the
 * change is committed. The vars as they are now, whether anything changed, and that release's deploy.
 */
export async function changeSiteEnv(
  deps: DeployRuntime, site: Site, changes: Record<string, string | null>, by: { accountId: string; actor: Actor },
): Promise<{ vars: EnvVars; changed: boolean; deploy?: Deploy }> {
  refuseWhileSuspended(site, 'env var changes');
  const entries = Object.entries(changes);
  for (const [name] of entries) {
    checkEnvName(name);
    if (RESERVED.has(name.toUpperCase()) || name.toUpperCase().startsWith('PADDOCK_')) throw errors.validation(`${name} is set by the platform and cannot be changed`);
  }
  const { secrets } = deps.platform;
  const { vars, queued, changed } = await deps.platform.db.transaction().execute(async (trx) => {
    await lockEnvVersion(trx, site.id);
    const busy = await rollbackInFlight(trx, site.id);
    if (busy) throw errors.rollbackInProgress(site.name, busy.version);
    const before = await currentSiteEnv(trx, secrets, site.id);
    const set = entries.filter(([name, value]) => value !== null && before[name] !== value).map(([name]) => name);
    const removed = entries.filter(([name, value]) => value === null && name in before).map(([name]) => name);
    if (!set.length && !removed.length) return { vars: before, queued: undefined, changed: false };
    for (const [name, value] of entries) {
      if (value === null) await trx.deleteFrom('site_env_vars').where('site_id', '=', site.id).where('name', '=', name).execute();
      else {
        const value_enc = secrets.seal(value, envContext(site.id, name));
        await trx.insertInto('site_env_vars').values({ site_id: site.id, name, value_enc })
          .onConflict((oc) => oc.columns(['site_id', 'name']).doUpdateSet({ value_enc, updated_at: new Date() })).execute();
      }
    }
    const vars = await currentSiteEnv(trx, secrets, site.id);
    const size = envSize(vars);
    if (size > MAX_ENV_BYTES) throw errors.envTooLarge(Math.ceil(size / 1024), MAX_ENV_BYTES / 1024);
    const version = await bumpEnvVersion(trx, site.id);
    await audit(trx, by.actor, { action: 'site.env', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { set, removed } });
    if (!(await currentRelease(deps, site.id, trx))) return { vars, queued: undefined, changed: true };
    return { vars, queued: await insertRerelease(deps, trx, site, 'env', { createdBy: by.accountId, env: { vars, version } }), changed: true };
  });
  if (!queued) return { vars, changed };
  await startRerelease(deps, queued);
  return { vars, changed, deploy: queued.deploy };
}
