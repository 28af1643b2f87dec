// Every release keeps the site's own env vars it runs with, sealed like site_env_vars (one sealed
// JSON object per release), so a rollback restores code and config together. Releases made
// before this migration have none (null): they run with the site's current vars.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table releases add column env_enc text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table releases drop column env_enc`.execute(db);
}
