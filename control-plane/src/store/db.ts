// Opens the platform database: one pg pool behind Kysely.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

// Postgres bigint (audit ids, counts) arrive as strings unless told otherwise; int8 here never
// exceeds 2^53 in practice, numbers are what callers expect.
pg.types.setTypeParser(20, (v) => Number(v));

export function openDb(url: string, options: { max?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
