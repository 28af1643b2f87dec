// A site's database and cache connection details (`paddock db:url`, the dashboard's database tab):
// where they live, their size, and URLs whose password stays masked unless revealed — revealing
// needs the secrets scope and the developer role, and is audited.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { audit } from '../audit/audit.js';
import { errors } from '../errors.js';
import { quotasOf } from '../orgs/plans.js';
import { createProvisioners, openResource, type Provisioners, type TenantResource } from '../provisioners/index.js';
import { DnsLabel, errorResponses } from './schemas.js';

const MASK = '****';
/** SCAN rounds (of 1000 keys) counting a site's cache keys; a bigger keyspace answers null. */
const KEY_COUNT_ROUNDS = 20;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const DatabaseOut = Type.Object({
  database: Type.Object({
    host: Type.String(), port: Type.Integer(), name: Type.String(), user: Type.String(),
    url: Type.String({ description: 'postgres:// URL; the password is **** unless ?reveal=true' }),
    sizeBytes: Type.Integer(),
    quotaBytes: Nullable(Type.Integer()),
    connectionLimit: Nullable(Type.Integer()),
  }),
  cache: Nullable(Type.Object({
    host: Type.String(), port: Type.Integer(), user: Type.String(),
    prefix: Type.String({ description: 'every key and channel of the site starts with it' }),
    url: Type.String({ description: 'redis:// URL; the password is **** unless ?reveal=true' }),
    usedKeys: Nullable(Type.Integer()),
  })),
});

/** `host:port` as the provisioners record a server; the configured public host wins over its host. */
function hostPort(server: string, publicHost: string, defaultPort: number): { host: string; port: number } {
  const colon = server.lastIndexOf(':');
  const host = colon > 0 && !server.endsWith(']') ? server.slice(0, colon) : server;
  const port = colon > 0 && !server.endsWith(']') ? Number(server.slice(colon + 1)) : defaultPort;
  return { host: publicHost || host, port };
}

export const databasePlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const p = app.platform;
  let provisioners: Provisioners | undefined;
  app.addHook('onClose', async () => { await provisioners?.close(); });

  app.get('/v1/sites/:site/database', {
    config: { auth: { scope: 'read', site: 'read', reveal: { query: 'reveal', scope: 'secrets', site: 'readSecrets' } } },
    schema: {
      tags: ['sites'],
      summary: "Connection details of the site's Postgres database and Redis cache",
      description: 'Passwords are masked (****) unless `?reveal=true`, which is written to the audit log.',
      params: Type.Object({ site: DnsLabel }),
      querystring: Type.Object({ reveal: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      response: { 200: DatabaseOut, ...errorResponses },
    },
  }, async (request) => {
    const { auth } = request;
    const { site } = request.siteAccess;
    // Revealing needs the secrets scope and the developer role: checked with the route's declaration.
    const reveal = request.query.reveal === true;
    const rows = await p.db.selectFrom('site_resources').selectAll().where('site_id', '=', site.id).execute();
    const pgRow = rows.find((r) => r.kind === 'postgres');
    if (!pgRow) throw errors.siteState(site.name, site.status, 'show its database yet', 'it is not provisioned: wait until it is ready (`paddock info` shows its status)');
    const cacheRow = rows.find((r) => r.kind === 'redis');
    provisioners ??= createProvisioners(p.config);
    const prov = provisioners;
    const db = openResource(p.secrets, pgRow);
    const cache = cacheRow ? openResource(p.secrets, cacheRow) : undefined;
    const [usage, keys, org] = await Promise.all([
      prov.postgres.usage(db).catch((err: unknown) => { request.log.warn({ err }, 'database size unavailable'); return {} as Record<string, number>; }),
      cache ? prov.redis.countKeys(cache, KEY_COUNT_ROUNDS).catch(() => undefined) : undefined,
      p.db.selectFrom('organisations').select(['plan', 'quota_overrides']).where('id', '=', site.org_id).executeTakeFirstOrThrow(),
    ]);
    if (reveal) {
      await audit(p.db, auth.actor, { action: 'site.credentials.revealed', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { kinds: rows.map((r) => r.kind) } });
    }
    const secret = (r: TenantResource) => (reveal ? encodeURIComponent(r.password) : MASK);
    const d = hostPort(db.server, p.config.tenantPublicHost, 5432);
    const name = db.database ?? db.username;
    const quotaMb = quotasOf(org.plan, org.quota_overrides).databaseMb;
    const c = cache ? hostPort(cache.server, p.config.tenantPublicHost, 6379) : undefined;
    return {
      database: {
        host: d.host, port: d.port, name, user: db.username,
        url: `postgres://${encodeURIComponent(db.username)}:${secret(db)}@${d.host}:${d.port}/${encodeURIComponent(name)}`,
        sizeBytes: usage.databaseBytes ?? 0,
        quotaBytes: quotaMb * 1024 * 1024,
        connectionLimit: p.config.tenantConnectionLimit,
      },
      cache: cache && c ? {
        host: c.host, port: c.port, user: cache.username, prefix: cache.keyPrefix ?? '',
        url: `redis://${encodeURIComponent(cache.username)}:${secret(cache)}@${c.host}:${c.port}/0`,
        usedKeys: keys?.complete ? keys.keys : null,
      } : null,
    };
  });
};
