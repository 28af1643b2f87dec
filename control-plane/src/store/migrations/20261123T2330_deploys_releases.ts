// Deploys (uploads and their build), releases (every one kept, numbered per site), env vars,
// custom domains and each site's routing state (what the edge serves, and whether it sleeps).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table releases (
      id uuid primary key default gen_random_uuid(),
      site_id uuid not null references sites(id),
      version integer not null,
      kind text not null check (kind in ('deploy', 'env', 'rollback', 'scale')),
      description text not null,
      slug_key text not null,
      slug_sha256 text not null,
      image text,
      manifest jsonb not null default '{}',
      replicas integer not null,
      status text not null check (status in ('pending', 'live', 'failed', 'superseded')),
      error text,
      created_by uuid,
      created_at timestamptz not null default now(),
      live_at timestamptz,
      unique (site_id, version)
    );
    create table deploys (
      id uuid primary key default gen_random_uuid(),
      site_id uuid not null references sites(id),
      kind text not null default 'deploy' check (kind in ('deploy', 'env', 'rollback', 'scale')),
      status text not null check (status in ('queued', 'building', 'releasing', 'succeeded', 'failed')),
      artifact_key text,
      artifact_sha256 text,
      artifact_size bigint,
      source_release_id uuid references releases(id),
      release_id uuid references releases(id),
      error text,
      created_by uuid,
      created_at timestamptz not null default now(),
      finished_at timestamptz
    );
    create index deploys_site on deploys(site_id, created_at desc);
    create table site_env_vars (
      site_id uuid not null references sites(id),
      name text not null,
      value_enc text not null,
      updated_at timestamptz not null default now(),
      primary key (site_id, name)
    );
    create table site_domains (
      host text primary key check (host = lower(host)),
      site_id uuid not null references sites(id),
      verification_token text not null,
      verified_at timestamptz,
      created_at timestamptz not null default now()
    );
    create index site_domains_site on site_domains(site_id);
    create table site_routes (
      site_id uuid primary key references sites(id),
      release_id uuid references releases(id),
      state text not null check (state in ('serving', 'paused', 'stopped')),
      upstreams jsonb not null default '[]',
      last_request_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table site_routes, site_domains, site_env_vars, deploys, releases`.execute(db);
}
