// A site's own environment variables: stored encrypted, never shown to viewers, and every change
// makes a new release (the same slug with the new environment) when the site is live. Each release
// keeps a sealed snapshot of them; a rollback makes these its target's vars again.
// A change takes the site's env version lock, is refused while a rollback is under way (the
// rollback would replace it), and its release carries exactly the vars it made. A change whose
// release fails is undone (runDeploy puts the live release's vars back), so this route shows what runs.
// A change that changes nothing (removing a var that is not set, setting one to the value it has)
// answers `changed: false` and makes no release. Changes are audited by name, never by value.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errors } from '../errors.js';
import { audit } from '../audit/audit.js';
import { currentRelease, insertRerelease, rollbackInFlight, startRerelease } from '../releases/deploys.js';
import { bumpEnvVersion, currentSiteEnv, envContext, envSize, lockEnvVersion, MAX_ENV_BYTES } from '../releases/env-snapshot.js';
import { deployDb } from '../releases/tables.js';
import { deployRuntimeOf } from '../releases/deploy-runtime.js';
import { refuseWhileSuspended } from '../sites/sites.js';
import { DeployOut } from './deploys.js';
import { DnsLabel, errorResponses } from './schemas.js';

const SiteParams = Type.Object({ site: DnsLabel });
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Set by the platform: a site may not override them. */
export const RESERVED = new Set(['DATABASE_URL', 'CACHE_URL', 'CACHE_KEY_PREFIX', 'SECRET_KEY', 'PORT', 'HOST', 'ALLOWED_HOSTS', 'HOME', 'NODE_ENV', 'NODE_OPTIONS', 'PATH',
  'PADDOCK_MEDIA_ROOT', 'PADDOCK_MEDIA_QUOTA_BYTES', 'PADDOCK_SECURE_PROXY_SSL_HEADER']);

const EnvOut = Type.Object({
  vars: Type.Record(Type.String(), Type.String()),
  deploy: Type.Optional(DeployOut),
});
const EnvChangeOut = Type.Object({
  vars: Type.Record(Type.String(), Type.String()),
  changed: Type.Boolean({ description: 'false when every var already had the asked value (or was not set, for a removal): nothing was saved and no release was made' }),
  deploy: Type.Optional(DeployOut),
});

export const envVarsPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const p = app.platform;
  const tags = ['env'];

  const read = (siteId: string) => currentSiteEnv(p.db, p.secrets, siteId);

  app.get('/v1/sites/:site/env', {
    config: { auth: { scope: 'secrets', site: 'readSecrets' } },
    schema: { tags, summary: "A site's own environment variables (developers and above)", params: SiteParams, response: { 200: EnvOut, ...errorResponses } },
  }, async (request) => {
    const { site } = request.siteAccess;
    return { vars: await read(site.id) };
  });

  app.patch('/v1/sites/:site/env', {
    config: { auth: { scope: 'write', site: 'configureSite' } },
    schema: {
      tags, summary: 'Set (a string) or remove (null) environment variables; a live site gets a new release with them', params: SiteParams,
      // One multi-type schema, not a union: with the server's coerceTypes a union turns null into "" (so unset set an empty value).
      body: Type.Object({ vars: Type.Record(Type.String(), Type.Unsafe<string | null>({ type: ['string', 'null'], maxLength: 32768 }), { maxProperties: 200 }) }, { additionalProperties: false }),
      response: { 200: EnvChangeOut, ...errorResponses },
    },
  }, async (request) => {
    const { auth } = request;
    const { site } = request.siteAccess;
    refuseWhileSuspended(site, 'env var changes');
    const entries = Object.entries(request.body.vars);
    for (const [name] of entries) {
      if (!NAME.test(name)) throw errors.validation(`"${name}" is not a variable name (letters, digits and _, not starting with a digit)`);
      if (RESERVED.has(name.toUpperCase()) || name.toUpperCase().startsWith('PADDOCK_')) throw errors.validation(`${name} is set by the platform and cannot be changed`);
    }
    const deps = deployRuntimeOf(p);
    const { vars, queued, changed } = await p.db.transaction().execute(async (trx) => {
      await lockEnvVersion(trx, site.id);
      const busy = await rollbackInFlight(trx, site.id);
      if (busy) throw errors.rollbackInProgress(site.name, busy.version);
      const before = await currentSiteEnv(trx, p.secrets, site.id);
      const set = entries.filter(([name, value]) => value !== null && before[name] !== value).map(([name]) => name);
      const removed = entries.filter(([name, value]) => value === null && name in before).map(([name]) => name);
      if (!set.length && !removed.length) return { vars: before, queued: undefined, changed: false };
      const tx = deployDb(trx);
      for (const [name, value] of entries) {
        if (value === null) await tx.deleteFrom('site_env_vars').where('site_id', '=', site.id).where('name', '=', name).execute();
        else {
          const value_enc = p.secrets.seal(value, envContext(site.id, name));
          await tx.insertInto('site_env_vars').values({ site_id: site.id, name, value_enc })
            .onConflict((oc) => oc.columns(['site_id', 'name']).doUpdateSet({ value_enc, updated_at: new Date() })).execute();
        }
      }
      const vars = await currentSiteEnv(trx, p.secrets, site.id);
      const size = envSize(vars);
      if (size > MAX_ENV_BYTES) throw errors.envTooLarge(Math.ceil(size / 1024), MAX_ENV_BYTES / 1024);
      const version = await bumpEnvVersion(trx, site.id);
      await audit(trx, auth.actor, { action: 'site.env', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { set, removed } });
      if (!(await currentRelease({ platform: p }, site.id, trx))) return { vars, queued: undefined, changed: true };
      return { vars, queued: await insertRerelease(deps, trx, site, 'env', { createdBy: auth.accountId, env: { vars, version } }), changed: true };
    });
    if (!queued) return { vars, changed };
    await startRerelease(deps, queued);
    const d = queued.deploy;
    return { vars, changed, deploy: { id: d.id, kind: d.kind, status: d.status, version: null, error: null, url: '', sha256: null, size: null, createdAt: d.created_at.toISOString(), finishedAt: null } };
  });
};
