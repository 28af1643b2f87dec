// A site's own environment variables over HTTP (env/env-vars.ts holds the rules): read them
// (developers and above), change them; a live site gets a new release with them. A change that
// changes nothing answers `changed: false` and makes no release.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { changeSiteEnv, readSiteEnv } from '../env/env-vars.js';
import { deployRuntimeOf } from '../platform/deploy-runtime.js';
import { DnsLabel, errorResponses } from './schemas/common.js';
import { EnvChangeOut, EnvOut } from './schemas/env.js';

const SiteParams = Type.Object({ site: DnsLabel });

export const envVarsPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const p = app.platform;
  const tags = ['env'];

  app.get('/v1/sites/:site/env', {
    config: { auth: { scope: 'secrets', site: 'readSecrets' } },
    schema: { tags, summary: "A site's own environment variables (developers and above)", params: SiteParams, response: { 200: EnvOut, ...errorResponses } },
  }, async (request) => {
    return { vars: await readSiteEnv(p, request.siteAccess.site.id) };
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
    const { vars, changed, deploy: d } = await changeSiteEnv(deployRuntimeOf(p), request.siteAccess.site, request.body.vars, { accountId: auth.accountId, actor: auth.actor });
    if (!d) return { vars, changed };
    return { vars, changed, deploy: { id: d.id, kind: d.kind, status: d.status, version: null, error: null, url: '', sha256: null, size: null, createdAt: d.created_at.toISOString(), finishedAt: null } };
  });
};
