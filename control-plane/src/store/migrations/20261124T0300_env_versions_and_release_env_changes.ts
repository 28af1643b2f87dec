// Env changes and rollbacks agree on what a site runs: every change to site_env_vars bumps the
// site's env version (a rollback replaces the vars only if nothing changed them since it was
// queued), an env change's deploy carries the vars sealed at PATCH time, and each release keeps
// the names (never values) of the vars it added, removed or changed against the release it
// replaced, so listing releases decrypts nothing. Existing rows get no names (null).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table site_env_versions (
      site_id uuid primary key references sites(id) on delete cascade,
      version bigint not null default 0
    );
    alter table deploys add column env_enc text, add column env_version bigint;
    alter table releases add column env_changes jsonb;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table releases drop column env_changes;
    alter table deploys drop column env_enc, drop column env_version;
    drop table site_env_versions;
  `.execute(db);
}
