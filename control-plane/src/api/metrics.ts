// A site's metrics over a window, for the dashboard's charts: requests, 5xx answers, p95 latency
// (from the edges' access lines) and memory (sampled from its replicas), one point per step.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { deployRuntimeOf } from '../releases/deploy-runtime.js';
import { siteMetricsStore } from '../metrics/site-metrics.js';
import { DnsLabel, errorResponses, Timestamp } from './schemas.js';

// An enum rather than a union of literals: a wrong window is then told "one of the allowed values".
const Window = Type.Enum(['1h', '6h', '24h'], {
  description: '1h: 60 points of 60 s; 6h: 72 points of 300 s; 24h: 96 points of 900 s',
});

const MetricsPoint = Type.Object({
  t: { ...Timestamp, description: 'start of the step' },
  requests: Type.Integer({ minimum: 0 }),
  errors: Type.Integer({ minimum: 0, description: '5xx answers' }),
  p95Ms: Type.Union([Type.Number(), Type.Null()], { description: '95th percentile of the total request time, ms; null without requests' }),
  memoryBytes: Type.Union([Type.Integer(), Type.Null()], { description: 'memory of the running replicas (summed, largest sample of the step); null without a sample' }),
});

const SiteMetrics = Type.Object({
  window: Window,
  stepSeconds: Type.Integer(),
  points: Type.Array(MetricsPoint, { description: 'oldest first; the last point is the current, partial step' }),
});

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
