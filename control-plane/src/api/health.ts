// `/healthz`: is this process able to serve — can it reach its Postgres and its Redis? — and
// `/metrics` for Prometheus.
import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';

const Check = Type.Object({ ok: Type.Boolean(), ms: Type.Number(), error: Type.Optional(Type.String()) });
const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  checks: Type.Record(Type.String(), Check),
});

async function timed(fn: () => Promise<unknown>, timeoutMs = 2000) {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([fn(), new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs); })]);
    return { ok: true, ms: Math.round(performance.now() - t0) };
  } catch (e) {
    return { ok: false, ms: Math.round(performance.now() - t0), error: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
  }
}

export const healthPlugin: FastifyPluginAsync = async (app) => {
  const { db, redis, metrics } = app.platform;
  app.get('/healthz', {
    config: { auth: false },
    schema: { tags: ['platform'], summary: 'Health of this API server and its Postgres and Redis', response: { 200: Health, 503: Health } },
  }, async (_request, reply) => {
    const [postgres, redisCheck] = await Promise.all([
      timed(() => sql`select 1`.execute(db)),
      timed(() => redis.ping()),
    ]);
    const checks = { postgres, redis: redisCheck };
    const ok = postgres.ok && redisCheck.ok;
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
  });

  app.get('/metrics', {
    config: { auth: false },
    schema: { tags: ['platform'], summary: 'Prometheus metrics of this process', produces: ['text/plain'] },
  }, async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
};
