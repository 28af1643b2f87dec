// What a tenant-resource provisioner does (Postgres databases, Redis cache users), so the jobs
// drive both the same way. Every operation is idempotent: running it again, or after a crash
// half-way, converges to the same end state.
import type { ResourceKind } from '../store/schema.js';

export interface TenantResource {
  siteId: string;
  kind: ResourceKind;
  /** Which server of the pool holds it: its `host:port`. */
  server: string;
  username: string;
  /** Postgres: the database's name. */
  database: string | null;
  /** Redis: the prefix every key and channel of the site must start with. */
  keyPrefix: string | null;
  password: string;
}

export interface Provisioner {
  readonly kind: ResourceKind;
  /** The pool's servers, by `host:port`. */
  readonly servers: readonly string[];
  /** The names a new site's resource gets on this kind of server. */
  names(siteId: string): { username: string; database: string | null; keyPrefix: string | null };
  /** Creates the resource, or brings an existing one to its settings and password; leaves it enabled. */
  ensure(resource: TenantResource): Promise<void>;
  /** Refuses new logins and ends the current ones; `ensure` enables it again. */
  suspend(resource: TenantResource): Promise<void>;
  /** Removes everything `ensure` created. */
  destroy(resource: TenantResource): Promise<void>;
  usage(resource: TenantResource): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** `host:port` of a server URL: the stable name of a pool member. */
export function serverKey(url: string, defaultPort: number): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || defaultPort}`;
}

/** A site's resources are named from its id: deterministic, so a retried job finds what an earlier attempt made. */
export function compactId(siteId: string): string {
  return siteId.replace(/-/g, '');
}
