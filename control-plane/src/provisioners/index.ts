// The tenant-resource provisioners of a process, built from the configured pools, and how a
// site's stored resource records turn into what they need (decrypting the credentials).
import type { Config } from '../config.js';
import type { Db } from '../store/db.js';
import type { ResourceKind, SiteResource } from '../store/schema.js';
import type { SecretBox } from '../secrets/box.js';
import { PostgresProvisioner } from './postgres.js';
import { RedisProvisioner } from './redis.js';
import type { Provisioner, TenantResource } from './provisioner.js';

export type { Provisioner, TenantResource } from './provisioner.js';

export interface Provisioners {
  postgres: PostgresProvisioner;
  redis: RedisProvisioner;
  byKind(kind: ResourceKind): Provisioner;
  close(): Promise<void>;
}

export function createProvisioners(config: Pick<Config, 'pgAdminUrls' | 'cacheAdminUrls' | 'tenantConnectionLimit' | 'tenantStatementTimeout' | 'spareDatabases'> & Partial<Pick<Config, 'databaseUrl'>>): Provisioners {
  const postgres = new PostgresProvisioner(config.pgAdminUrls, {
    connectionLimit: config.tenantConnectionLimit, statementTimeout: config.tenantStatementTimeout, spareDatabases: config.spareDatabases, platformDatabaseUrl: config.databaseUrl,
  });
  const redis = new RedisProvisioner(config.cacheAdminUrls);
  return {
    postgres,
    redis,
    byKind: (kind) => (kind === 'postgres' ? postgres : redis),
    async close() {
      await Promise.all([postgres.close(), redis.close()]);
    },
  };
}

export function credentialContext(siteId: string, kind: ResourceKind): string {
  return `site:${siteId}:${kind}`;
}

export function openResource(secrets: SecretBox, row: SiteResource): TenantResource {
  return {
    siteId: row.site_id, kind: row.kind, server: row.server, username: row.username,
    database: row.database, keyPrefix: row.key_prefix, password: secrets.open(row.secret_enc, credentialContext(row.site_id, row.kind)),
  };
}

/** The pool member with the fewest live resources of this kind (placement of a new site). */
export async function leastLoaded(db: Db, provisioner: Provisioner): Promise<string> {
  const counts = await db.selectFrom('site_resources').select(['server']).select((eb) => eb.fn.countAll<number>().as('n'))
    .where('kind', '=', provisioner.kind).groupBy('server').execute();
  const load = new Map(counts.map((c) => [c.server, Number(c.n)]));
  let best = provisioner.servers[0];
  if (best === undefined) throw new Error(`No ${provisioner.kind} server configured.`);
  for (const s of provisioner.servers) if ((load.get(s) ?? 0) < (load.get(best) ?? 0)) best = s;
  return best;
}
