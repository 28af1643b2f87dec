// A site's metrics over a window, for the dashboard's charts: requests, 5xx answers, p95 latency
// (from the edges' access lines) and memory (sampled from its replicas), one point per step.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { deployRuntimeOf } from '../platform/deploy-runtime.js';
import { siteMetricsStore } from '../metrics/site-metrics.js';
import { DnsLabel, errorResponses } from './schemas/common.js';
import { SiteMetrics, Window } from './schemas/metrics.js';

export const metricsPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const p = app.platform;

  app.get('/v1/sites/:site/metrics', {
    config: { auth: { scope: 'read', site: 'read' } },
    schema: {
      tags: ['sites'], summary: 'Requests, 5xx answers, p95 latency and memory of a site over a window',
      params: Type.Object({ site: DnsLabel }),
      querystring: Type.Object({ window: Type.Optional(Window) }, { additionalProperties: false }),
      response: { 200: SiteMetrics, ...errorResponses },
    },
  }, async (request) => {
    const { site } = request.siteAccess;
    // Where the edges write them: the namespace of the deploy runtime's edge signal.
    const store = siteMetricsStore(p.redis, deployRuntimeOf(p).edge.namespace);
    return store.series(site.id, request.query.window ?? '1h');
  });
};
