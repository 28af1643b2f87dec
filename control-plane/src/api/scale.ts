// Scaling a site: the replica count within the plan's quota; a live site gets a new release with
// that many replicas (started and health-checked before the old ones drain). Asking for the count
// the site already runs answers `changed: false` and makes no release.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { createRerelease, currentRelease } from '../releases/deploys.js';
import { refuseWhileSuspended, resizeSite } from '../sites/sites.js';
import { deployRuntimeOf } from '../platform/deploy-runtime.js';
import { DnsLabel, errorResponses, Uuid } from './schemas/common.js';

export const scalePlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const p = app.platform;
  app.post('/v1/sites/:site/scale', {
    config: { auth: { scope: 'write', site: 'configureSite' } },
    schema: {
      tags: ['deploys'], summary: 'Run this many replicas of the site (within the plan quota)',
      params: Type.Object({ site: DnsLabel }),
      body: Type.Object({ replicas: Type.Integer({ minimum: 1, maximum: 1000 }) }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          replicas: Type.Integer(),
          deployId: Type.Union([Uuid, Type.Null()]),
          changed: Type.Boolean({ description: 'false when the site already runs this many replicas: no release was made' }),
        }),
        ...errorResponses,
      },
    },
  }, async (request) => {
    const { auth } = request;
    const { site } = request.siteAccess;
    const { replicas } = request.body;
    const live = await currentRelease({ platform: p }, site.id);
    // The live release's count is what runs (a failed scale leaves the site's count ahead of it).
    if (site.replicas === replicas && (!live || live.replicas === replicas)) {
      refuseWhileSuspended(site, 'scaling');
      return { replicas, deployId: null, changed: false };
    }
    const resized = await resizeSite(p, auth.actor, site, { replicas });
    if (!live) return { replicas: resized.replicas, deployId: null, changed: true };
    const d = await createRerelease(deployRuntimeOf(p), resized, 'scale', { createdBy: auth.accountId });
    return { replicas: resized.replicas, deployId: d.id, changed: true };
  });
};
