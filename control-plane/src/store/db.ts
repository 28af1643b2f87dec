// Opens the platform database: one pg pool behind Kysely. Every pg pool of the control plane
// comes from openPgPool, which keeps a process alive when its Postgres goes away.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

// Postgres bigint (audit ids, counts) arrive as strings unless told otherwise; int8 here never
// exceeds 2^53 in practice, numbers are what callers expect.
pg.types.setTypeParser(20, (v) => Number(v));

export interface PgPoolOptions {
  max?: number;
  /** A connection of the pool broke (its server restarted or went away); the pool opens a new one when next needed. */
  onError?: (err: Error) => void;
  /** How long getting a connection may take before the query fails (default 10 s), so nothing hangs on a server that does not answer. */
  connectionTimeoutMs?: number;
}

/**
 * A pg pool that survives its server going away. pg emits 'error' on a client whose connection
 * breaks; the pool listens only while the client is idle, so a client checked out at that moment
 * (a session-level advisory lock held for a whole job, a LISTEN) would crash the process with an
 * unhandled 'error'. Every client here is listened to from birth; a broken one fails its next
 * query and leaves the pool when released, and the next query connects again.
 */
export function openPgPool(url: string, options: PgPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  const report = options.onError ?? (() => {});
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', report));
  return pool;
}

export function openDb(url: string, options: PgPoolOptions = {}): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: openPgPool(url, options) }) });
}
