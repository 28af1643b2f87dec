// Tenant databases: one Postgres database and one login role per site, on one server of the
// pool. The role owns its database and nothing else; CONNECT on the database is revoked from
// PUBLIC so no other site's role can even connect; the role has a connection limit and a
// statement_timeout of its own.
import pg from 'pg';
import type { Provisioner, TenantResource } from './provisioner.js';
import { compactId, serverKey } from './provisioner.js';

export interface PostgresSettings {
  connectionLimit: number;
  statementTimeout: string;
}

const ident = (s: string) => {
  // Names are generated here (s_<hex>), never user input; refuse anything else outright.
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(s)) throw new Error(`Refusing unexpected identifier ${JSON.stringify(s)}`);
  return `"${s}"`;
};
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

export class PostgresProvisioner implements Provisioner {
  readonly kind = 'postgres' as const;
  readonly servers: readonly string[];
  private readonly urls = new Map<string, string>();
  private readonly pools = new Map<string, pg.Pool>();

  constructor(adminUrls: readonly string[], private readonly settings: PostgresSettings) {
    for (const url of adminUrls) this.urls.set(serverKey(url, 5432), url);
    this.servers = [...this.urls.keys()];
  }

  names(siteId: string) {
    const name = `s_${compactId(siteId)}`;
    return { username: name, database: name, keyPrefix: null };
  }

  /** The server's admin URL, pointed at another database of it. */
  urlFor(server: string, database?: string): string {
    const url = this.urls.get(server);
    if (!url) throw new Error(`Postgres server ${server} is not in PADDOCK_PG_ADMIN_URL any more; add it back to reach its sites.`);
    if (!database) return url;
    const u = new URL(url);
    u.pathname = `/${database}`;
    return u.toString();
  }

  private pool(server: string): pg.Pool {
    let p = this.pools.get(server);
    if (!p) {
      p = new pg.Pool({ connectionString: this.urlFor(server), max: 8 });
      p.on('error', () => {});
      this.pools.set(server, p);
    }
    return p;
  }

  async ensure(r: TenantResource): Promise<void> {
    const db = this.pool(r.server);
    const role = ident(r.username);
    const database = ident(r.database ?? r.username);
    const options = `LOGIN PASSWORD ${literal(r.password)} CONNECTION LIMIT ${this.settings.connectionLimit} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`;
    const exists = await db.query('select 1 from pg_roles where rolname = $1', [r.username]);
    if (exists.rowCount === 0) {
      try {
        await db.query(`CREATE ROLE ${role} ${options}`);
      } catch (e) {
        if ((e as { code?: string }).code !== '42710' && (e as { code?: string }).code !== '23505') throw e; // created meanwhile
      }
    }
    await db.query(`ALTER ROLE ${role} ${options}`);
    await db.query(`ALTER ROLE ${role} SET statement_timeout = ${literal(this.settings.statementTimeout)}`);
    await db.query(`ALTER ROLE ${role} SET idle_in_transaction_session_timeout = '60s'`);
    const dbExists = await db.query('select 1 from pg_database where datname = $1', [r.database]);
    if (dbExists.rowCount === 0) {
      try {
        await db.query(`CREATE DATABASE ${database} OWNER ${role}`);
      } catch (e) {
        if ((e as { code?: string }).code !== '42P04' && (e as { code?: string }).code !== '23505') throw e;
      }
    }
    await db.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
    await db.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${role}`);
    await db.query(`ALTER DATABASE ${database} OWNER TO ${role}`);
  }

  async suspend(r: TenantResource): Promise<void> {
    const db = this.pool(r.server);
    const exists = await db.query('select 1 from pg_roles where rolname = $1', [r.username]);
    if (exists.rowCount === 0) return;
    await db.query(`ALTER ROLE ${ident(r.username)} NOLOGIN`);
    await db.query('select pg_terminate_backend(pid) from pg_stat_activity where usename = $1', [r.username]);
  }

  async destroy(r: TenantResource): Promise<void> {
    const db = this.pool(r.server);
    const database = r.database ?? r.username;
    await db.query(`DROP DATABASE IF EXISTS ${ident(database)} WITH (FORCE)`);
    const exists = await db.query('select 1 from pg_roles where rolname = $1', [r.username]);
    if (exists.rowCount === 0) return;
    await db.query(`ALTER ROLE ${ident(r.username)} NOLOGIN`);
    await db.query('select pg_terminate_backend(pid) from pg_stat_activity where usename = $1', [r.username]);
    await db.query(`DROP ROLE IF EXISTS ${ident(r.username)}`);
  }

  async usage(r: TenantResource): Promise<Record<string, number>> {
    const db = this.pool(r.server);
    const res = await db.query<{ bytes: string | number | null; connections: number }>(
      'select pg_database_size(d.datname) as bytes, (select count(*)::int from pg_stat_activity where datname = d.datname) as connections from pg_database d where d.datname = $1',
      [r.database],
    );
    const row = res.rows[0];
    return { databaseBytes: Number(row?.bytes ?? 0), connections: row?.connections ?? 0 };
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.end()));
    this.pools.clear();
  }
}
