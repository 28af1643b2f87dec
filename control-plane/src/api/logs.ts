// A site's logs over HTTP (logs/site-logs.ts): its containers' output, edge access lines and
// build/release lines, recent ones as JSON, or followed live as Server-Sent Events (`?follow=1`).
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { followSiteLogs, recentSiteLogs } from '../logs/site-logs.js';
import { deployRuntimeOf } from '../platform/deploy-runtime.js';
import { DnsLabel, errorResponses } from './schemas/common.js';
import { LogLineOut } from './schemas/logs.js';
import { openSse } from './sse.js';

export const logsPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const p = app.platform;

  app.get('/v1/sites/:site/logs', {
    config: { auth: { scope: 'read', site: 'read' } },
    schema: {
      tags: ['logs'], summary: 'Recent log lines of a site (app output, edge access, builds); `follow=1` streams new ones as SSE',
      params: Type.Object({ site: DnsLabel }),
      querystring: Type.Object({
        follow: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0'), Type.Literal('true'), Type.Literal('false')])),
        lines: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })),
        since: Type.Optional(Type.String({ format: 'date-time' })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ lines: Type.Array(LogLineOut) }), ...errorResponses },
    },
  }, async (request, reply) => {
    const { site } = request.siteAccess;
    const deps = deployRuntimeOf(p);
    const count = request.query.lines ?? 100;
    const since = request.query.since ? Date.parse(request.query.since) : 0;
    const { lines: recent, replicas } = await recentSiteLogs(deps, site, {
      count, since, unavailable: (replica, err) => request.log.debug({ err, replica }, 'replica logs unavailable'),
    });
    const follow = request.query.follow === '1' || request.query.follow === 'true';
    if (!follow) return { lines: recent };

    const sse = openSse(request, reply);
    for (const l of recent) sse.sendLine('log', l);
    await followSiteLogs(deps, site, replicas, sse.signal, (l) => sse.sendLine('log', l));
    sse.end();
  });
};
