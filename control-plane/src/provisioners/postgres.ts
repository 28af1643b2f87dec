// Tenant databases: one Postgres database and one login role per site, on one server of the
// pool. The role owns its database and nothing else; CONNECT on the database is revoked from
// PUBLIC so no other site's role can even connect (nor to `postgres`, `template1` or the platform
// database); the role has a connection limit and a statement_timeout of its own.
//
// The admin role needs only CREATEDB and CREATEROLE, no superuser: it makes itself a member of
// each site's role (GRANT ... TO CURRENT_USER, which a CREATEROLE role may do), which is what
// Postgres asks of whoever gives a database to a role, alters it, drops it or ends its sessions.
//
// CREATE DATABASE copies a template and syncs it to disk: hundreds of milliseconds, seconds on a
// busy disk. So each server keeps a few empty spare databases ready (refill), and provisioning
// claims one by renaming it — an atomic catalog update that only one claimer can win.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { openPgPool } from '../store/db.js';
import type { Provisioner, TenantResource } from './provisioner.js';
import { compactId, serverKey } from './provisioner.js';

export interface PostgresSettings {
  connectionLimit: number;
  statementTimeout: string;
  /** Empty databases each server keeps ready; 0 creates every database on demand. */
  spareDatabases: number;
  /** The platform's own database: tenant roles are locked out of it when it shares a pool server. */
  platformDatabaseUrl?: string;
}

const SPARE_PREFIX = 'pdk_spare_';

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

  private lockedDown = new Set<string>();

  /**
   * PUBLIC may connect to every database by default, so a tenant role could log in to `postgres`,
   * `template1` or the platform database (and read what any role may: the catalogs, other sites'
   * names). Revoked where this role may (databases it owns); the others must be closed by the
   * server's superuser beforehand (the dev stack does), and a server where they are not gets no
   * tenant at all. Once per server and process; idempotent, so every worker may do it.
   */
  private async lockDown(server: string): Promise<void> {
    if (this.lockedDown.has(server)) return;
    const names = new Set(['postgres', 'template1', new URL(this.urlFor(server)).pathname.slice(1)]);
    const platform = this.settings.platformDatabaseUrl;
    if (platform && serverKey(platform, 5432) === server) names.add(new URL(platform).pathname.slice(1));
    const open = async () => (await this.pool(server).query<{ datname: string }>(
      "select datname from pg_database where datname = any($1) and has_database_privilege('public', datname, 'CONNECT') order by datname", [[...names]],
    )).rows.map((r) => r.datname);
    // Without the privilege to revoke, Postgres only warns: what is still open afterwards tells.
    for (const datname of await open()) await this.pool(server).query(`REVOKE CONNECT, TEMPORARY ON DATABASE "${datname.replace(/"/g, '""')}" FROM PUBLIC`);
    const still = await open();
    if (still.length) {
      throw new Error(`Every role may connect to the database(s) ${still.join(', ')} on the tenant Postgres server ${server}, and the provisioning role cannot change that. `
        + `As that server's superuser, run: ${still.map((d) => `REVOKE CONNECT, TEMPORARY ON DATABASE "${d}" FROM PUBLIC;`).join(' ')}`);
    }
    this.lockedDown.add(server);
  }

  /**
   * Makes the admin role a member of a site's role that has its privileges (needed to give it a
   * database, end its sessions, drop it). Postgres 16 and later make the creator of a role a member
   * with ADMIN OPTION but neither INHERIT nor SET, hence USAGE (has its privileges), not MEMBER.
   */
  private async adopt(db: pg.Pool, role: string): Promise<void> {
    const { rows } = await db.query<{ usage: boolean }>("select pg_has_role(current_user, $1, 'USAGE') as usage", [role]);
    if (!rows[0]?.usage) await db.query(`GRANT ${ident(role)} TO CURRENT_USER`);
  }

  private pool(server: string): pg.Pool {
    let p = this.pools.get(server);
    if (!p) {
      p = openPgPool(this.urlFor(server), { max: 8 });
      this.pools.set(server, p);
    }
    return p;
  }

  async ensure(r: TenantResource): Promise<void> {
    const db = this.pool(r.server);
    await this.lockDown(r.server);
    const role = ident(r.username);
    const database = ident(r.database ?? r.username);
    const options = `LOGIN PASSWORD ${literal(r.password)} CONNECTION LIMIT ${this.settings.connectionLimit} NOCREATEDB NOCREATEROLE`;
    const exists = await db.query('select 1 from pg_roles where rolname = $1', [r.username]);
    if (exists.rowCount === 0) {
      try {
        // Only a superuser may even name SUPERUSER, REPLICATION or BYPASSRLS in ALTER ROLE; a role is made without them.
        await db.query(`CREATE ROLE ${role} ${options} NOSUPERUSER NOREPLICATION NOBYPASSRLS`);
      } catch (e) {
        if ((e as { code?: string }).code !== '42710' && (e as { code?: string }).code !== '23505') throw e; // created meanwhile
      }
    }
    await db.query(`ALTER ROLE ${role} ${options}`);
    await this.adopt(db, r.username);
    await db.query(`ALTER ROLE ${role} SET statement_timeout = ${literal(this.settings.statementTimeout)}`);
    await db.query(`ALTER ROLE ${role} SET idle_in_transaction_session_timeout = '60s'`);
    const dbExists = await db.query('select 1 from pg_database where datname = $1', [r.database]);
    if (dbExists.rowCount === 0 && !(await this.claimSpare(r.server, r.database ?? r.username))) {
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

  /** Renames a spare database to `name`; false when none is left (or others won them all). */
  private async claimSpare(server: string, name: string): Promise<boolean> {
    const db = this.pool(server);
    const spares = await db.query<{ datname: string }>("select datname from pg_database where datname like 'pdk\\_spare\\_%' order by random() limit 5");
    for (const { datname } of spares.rows) {
      try {
        await db.query(`ALTER DATABASE ${ident(datname)} RENAME TO ${ident(name)}`);
        return true;
      } catch (e) {
        const code = (e as { code?: string }).code;
        // Taken by another claimer meanwhile (gone, or busy being renamed): try the next one.
        if (code === '3D000' || code === '55006' || code === '42P04') continue;
        throw e;
      }
    }
    return false;
  }

  private refilling = new Set<string>();

  /** Tops up each server's spare databases; one refill per server at a time across all workers. */
  async refill(): Promise<number> {
    let created = 0;
    for (const server of this.servers) {
      if (this.refilling.has(server) || this.settings.spareDatabases <= 0) continue;
      this.refilling.add(server);
      const client = await this.pool(server).connect();
      try {
        const { rows } = await client.query<{ locked: boolean }>("select pg_try_advisory_lock(hashtext('paddock-spare-refill')) as locked");
        if (!rows[0]?.locked) continue;
        try {
          // A half-made spare (pdk_new_…) is left only by a refill that died: only the lock holder makes them.
          const orphans = await client.query<{ datname: string }>("select datname from pg_database where datname like 'pdk\\_new\\_%'");
          for (const { datname } of orphans.rows) await client.query(`DROP DATABASE IF EXISTS ${ident(datname)} WITH (FORCE)`);
          const count = await client.query<{ n: number }>("select count(*)::int as n from pg_database where datname like 'pdk\\_spare\\_%'");
          for (let n = count.rows[0]?.n ?? 0; n < this.settings.spareDatabases; n++) {
            // Made under another name and renamed when ready, so no claimer sees it half-way.
            const hex = randomBytes(8).toString('hex');
            await client.query(`CREATE DATABASE ${ident(`pdk_new_${hex}`)}`);
            await client.query(`REVOKE ALL ON DATABASE ${ident(`pdk_new_${hex}`)} FROM PUBLIC`);
            await client.query(`ALTER DATABASE ${ident(`pdk_new_${hex}`)} RENAME TO ${ident(`${SPARE_PREFIX}${hex}`)}`);
            created++;
          }
        } finally {
          await client.query("select pg_advisory_unlock(hashtext('paddock-spare-refill'))");
        }
      } finally {
        client.release();
        this.refilling.delete(server);
      }
    }
    return created;
  }

  /**
   * New transactions in the site's database default to read-only (its size quota is spent); its
   * open sessions are ended so they reconnect under the new default.
   */
  async setReadOnly(r: TenantResource, readOnly: boolean): Promise<void> {
    const db = this.pool(r.server);
    const database = ident(r.database ?? r.username);
    await this.adopt(db, r.username);
    await db.query(readOnly ? `ALTER DATABASE ${database} SET default_transaction_read_only = on` : `ALTER DATABASE ${database} RESET default_transaction_read_only`);
    await db.query('select pg_terminate_backend(pid) from pg_stat_activity where usename = $1', [r.username]);
  }

  async suspend(r: TenantResource): Promise<void> {
    const db = this.pool(r.server);
    const exists = await db.query('select 1 from pg_roles where rolname = $1', [r.username]);
    if (exists.rowCount === 0) return;
    await this.adopt(db, r.username);
    await db.query(`ALTER ROLE ${ident(r.username)} NOLOGIN`);
    await db.query('select pg_terminate_backend(pid) from pg_stat_activity where usename = $1', [r.username]);
  }

  async destroy(r: TenantResource): Promise<void> {
    const db = this.pool(r.server);
    const database = r.database ?? r.username;
    const exists = await db.query('select 1 from pg_roles where rolname = $1', [r.username]);
    if (exists.rowCount !== 0) await this.adopt(db, r.username);
    await db.query(`DROP DATABASE IF EXISTS ${ident(database)} WITH (FORCE)`);
    if (exists.rowCount === 0) return;
    await db.query(`ALTER ROLE ${ident(r.username)} NOLOGIN`);
    await db.query('select pg_terminate_backend(pid) from pg_stat_activity where usename = $1', [r.username]);
    await db.query(`DROP ROLE IF EXISTS ${ident(r.username)}`);
  }

  /** Lets the provisioning role act with the site role's privileges (backups/: pg_dump, pg_restore --role). */
  async takeRole(r: TenantResource): Promise<void> {
    await this.adopt(this.pool(r.server), r.username);
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
