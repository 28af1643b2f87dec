// Nobody but the platform's own role connects to the platform database: tenant roles may live
// on the same server (they do in dev), and by default PUBLIC may connect to any database and
// read its catalog. Skipped with a notice where the migrating role may not change it.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    DO $$
    BEGIN
      EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'could not revoke CONNECT on the platform database from PUBLIC; do it as its owner';
    END
    $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DO $$ BEGIN EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO PUBLIC', current_database()); END $$`.execute(db);
}
