// Applies the platform-database migrations (Kysely's Migrator). Several API servers may start at
// once: a session-level Postgres advisory lock, held on its own connection, lets one migrate
// while the others wait and then find nothing left to do.
import { Migrator, type MigrationResult, type MigrationProvider } from 'kysely';
import pg from 'pg';
import type { Db } from './db.js';
import { migrations } from './migrations/index.js';

const LOCK_KEY = 0x70646b_6d67; // "pdk mg"

const provider: MigrationProvider = { getMigrations: async () => migrations };

export interface MigrateOutcome {
  applied: string[];
}

export async function migrateToLatest(db: Db, databaseUrl: string): Promise<MigrateOutcome> {
  const lock = new pg.Client({ connectionString: databaseUrl });
  // A broken connection fails the migration (and the start) with its error, not the process with an unhandled event.
  lock.on('error', () => {});
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [LOCK_KEY]);
    // Engineers add migrations in parallel branches: one merged with an earlier timestamp than an
    // applied one still runs, instead of halting every start.
    const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r: MigrationResult) => r.status === 'Error');
      throw new Error(`Platform migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    await lock.end();
  }
}
