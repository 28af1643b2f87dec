// A site's logs: its containers' output, edge access lines and build/release lines, recent ones
// as JSON, or followed live as Server-Sent Events (`?follow=1`).
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { deployRuntimeOf } from '../releases/deploy-runtime.js';
import { DnsLabel, errorResponses } from './schemas.js';
import { openSse } from './sse.js';

const LogLineOut = Type.Object({ at: Type.String(), source: Type.String(), line: Type.String(), replica: Type.Optional(Type.String()) });
type Line = { at: string; source: string; line: string; replica?: string };

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
    const platformLines: Line[] = (await deps.logs.recent(deps.logs.siteKey(site.id), count)).map((e) => ({ at: e.at, source: e.source, line: e.line }));
    const replicas = await deps.driver.list(site.name);
    const appLines: Line[] = [];
    await Promise.all(replicas.map(async (r) => {
      try {
        for await (const l of deps.driver.logs(r.id, { tail: count })) appLines.push({ at: l.at.toISOString(), source: 'app', line: l.line, replica: r.name });
      } catch (err) {
        request.log.debug({ err, replica: r.name }, 'replica logs unavailable');
      }
    }));
    const recent = [...platformLines, ...appLines].filter((l) => Date.parse(l.at) >= since).sort((a, b) => a.at.localeCompare(b.at)).slice(-count);
    const follow = request.query.follow === '1' || request.query.follow === 'true';
    if (!follow) return { lines: recent };

    const sse = openSse(request, reply);
    for (const l of recent) sse.sendLine('log', l);
    const pumps = [
      (async () => {
        for await (const e of deps.logs.follow(deps.logs.siteKey(site.id), { signal: sse.signal })) sse.sendLine('log', { at: e.at, source: e.source, line: e.line });
      })(),
      ...replicas.map(async (r) => {
        for await (const l of deps.driver.logs(r.id, { follow: true, tail: 0, signal: sse.signal })) sse.sendLine('log', { at: l.at.toISOString(), source: 'app', line: l.line, replica: r.name });
      }),
    ];
    await Promise.allSettled(pumps);
    sse.end();
  });
};
