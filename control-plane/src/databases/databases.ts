// A site's database and cache connection details (`paddock db:url`, the dashboard's database tab):
// where they live, their size, and URLs whose password stays masked unless revealed — revealing
// (the route checks the secrets scope and the developer role) is written to the audit log.
import { audit, type Actor } from '../audit/audit.js';
import { errors } from '../errors.js';
import type { Logger } from '../logger.js';
import { quotasOf } from '../orgs/plans.js';
import type { Platform } from '../platform/platform.js';
import { openResource, type Provisioners, type TenantResource } from '../provisioners/index.js';
import type { Site } from '../store/schema.js';

const MASK = '****';
/** SCAN rounds (of 1000 keys) counting a site's cache keys; a bigger keyspace answers null. */
const KEY_COUNT_ROUNDS = 20;

/** `host:port` as the provisioners record a server; the configured public host wins over its host. */
function hostPort(server: string, publicHost: string, defaultPort: number): { host: string; port: number } {
  const colon = server.lastIndexOf(':');
  const host = colon > 0 && !server.endsWith(']') ? server.slice(0, colon) : server;
  const port = colon > 0 && !server.endsWith(']') ? Number(server.slice(colon + 1)) : defaultPort;
  return { host: publicHost || host, port };
}

export interface DatabaseDetails {
  database: { host: string; port: number; name: string; user: string; url: string; sizeBytes: number; quotaBytes: number | null; connectionLimit: number | null };
  cache: { host: string; port: number; user: string; prefix: string; url: string; usedKeys: number | null } | null;
}

export async function databaseDetails(
  platform: Pick<Platform, 'db' | 'secrets' | 'config'>, provisioners: Provisioners, site: Site,
  opts: { reveal: boolean; actor: Actor; log: Pick<Logger, 'warn'> },
): Promise<DatabaseDetails> {
  const p = platform;
  const { reveal } = opts;
  const rows = await p.db.selectFrom('site_resources').selectAll().where('site_id', '=', site.id).execute();
  const pgRow = rows.find((r) => r.kind === 'postgres');
  if (!pgRow) throw errors.siteState(site.name, site.status, 'show its database yet', 'it is not provisioned: wait until it is ready (`paddock info` shows its status)');
  const cacheRow = rows.find((r) => r.kind === 'redis');
  const db = openResource(p.secrets, pgRow);
  const cache = cacheRow ? openResource(p.secrets, cacheRow) : undefined;
  const [usage, keys, org] = await Promise.all([
    provisioners.postgres.usage(db).catch((err: unknown) => { opts.log.warn({ err }, 'database size unavailable'); return {} as Record<string, number>; }),
    cache ? provisioners.redis.countKeys(cache, KEY_COUNT_ROUNDS).catch(() => undefined) : undefined,
    p.db.selectFrom('organisations').select(['plan', 'quota_overrides']).where('id', '=', site.org_id).executeTakeFirstOrThrow(),
  ]);
  if (reveal) {
    await audit(p.db, opts.actor, { action: 'site.credentials.revealed', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { kinds: rows.map((r) => r.kind) } });
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
}
