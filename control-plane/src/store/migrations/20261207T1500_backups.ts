// Backups (issue 16): per-site logical backups (site_backups) and restores of a site's database
// or to a moment of the archived WAL (site_restores, which also keep the database a restore replaced for a day). Releases and
// deploys get a `restore` kind, and a deploy may carry the database its release switches the site
// to (database_enc).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table site_backups (
      id uuid primary key default gen_random_uuid(),
      site_id uuid not null references sites(id) on delete cascade,
      trigger text not null check (trigger in ('scheduled', 'manual')),
      status text not null check (status in ('running', 'complete', 'failed')),
      artifact_key text,
      size bigint,
      sha256 text,
      manifest jsonb,
      error text,
      created_by uuid references accounts(id) on delete set null,
      started_at timestamptz not null default now(),
      completed_at timestamptz
    );
    create index site_backups_site on site_backups (site_id, started_at desc);

    create table site_restores (
      id uuid primary key default gen_random_uuid(),
      site_id uuid not null references sites(id) on delete cascade,
      backup_id uuid references site_backups(id) on delete set null,
      target_time timestamptz,
      status text not null check (status in ('queued', 'running', 'releasing', 'succeeded', 'failed')),
      error text,
      new_resource_enc text,
      previous_resource_enc text,
      keep_until timestamptz,
      previous_dropped_at timestamptz,
      deploy_id uuid references deploys(id) on delete set null,
      created_by uuid references accounts(id) on delete set null,
      created_at timestamptz not null default now(),
      finished_at timestamptz
    );
    create index site_restores_site on site_restores (site_id, created_at desc);
    create unique index site_restores_one_running on site_restores (site_id) where status in ('queued', 'running', 'releasing');

    alter table releases drop constraint releases_kind_check;
    alter table releases add constraint releases_kind_check check (kind in ('deploy', 'env', 'rollback', 'scale', 'restore'));
    alter table deploys drop constraint deploys_kind_check;
    alter table deploys add constraint deploys_kind_check check (kind in ('deploy', 'env', 'rollback', 'scale', 'restore'));
    alter table deploys add column database_enc text;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table deploys drop column database_enc;
    delete from deploys where kind = 'restore';
    delete from releases where kind = 'restore';
    alter table deploys drop constraint deploys_kind_check;
    alter table deploys add constraint deploys_kind_check check (kind in ('deploy', 'env', 'rollback', 'scale'));
    alter table releases drop constraint releases_kind_check;
    alter table releases add constraint releases_kind_check check (kind in ('deploy', 'env', 'rollback', 'scale'));
    drop table site_restores;
    drop table site_backups;
  `.execute(db);
}
