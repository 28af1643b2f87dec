// Accounts, sessions, API tokens, organisations, members, invitations, sites, their tenant
// resources and the audit log.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table accounts (
      id uuid primary key default gen_random_uuid(),
      email text not null unique check (email = lower(email)),
      name text not null default '',
      password_hash text not null,
      is_operator boolean not null default false,
      status text not null default 'active' check (status in ('active', 'suspended')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create table sessions (
      id uuid primary key default gen_random_uuid(),
      account_id uuid not null references accounts(id) on delete cascade,
      token_hash bytea not null unique,
      ip text,
      user_agent text,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      last_used_at timestamptz
    );
    create index sessions_account on sessions(account_id);
    create table api_tokens (
      id uuid primary key default gen_random_uuid(),
      account_id uuid not null references accounts(id) on delete cascade,
      name text not null,
      token_hash bytea not null unique,
      prefix text not null,
      scopes text[] not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz,
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    create index api_tokens_account on api_tokens(account_id);
    create table organisations (
      id uuid primary key default gen_random_uuid(),
      name text not null unique,
      plan text not null default 'free',
      quota_overrides jsonb not null default '{}',
      personal boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create table memberships (
      org_id uuid not null references organisations(id) on delete cascade,
      account_id uuid not null references accounts(id) on delete cascade,
      role text not null check (role in ('owner', 'admin', 'developer', 'viewer')),
      created_at timestamptz not null default now(),
      primary key (org_id, account_id)
    );
    create index memberships_account on memberships(account_id);
    create table invitations (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references organisations(id) on delete cascade,
      email text not null,
      role text not null check (role in ('owner', 'admin', 'developer', 'viewer')),
      token_hash bytea not null unique,
      invited_by uuid references accounts(id) on delete set null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      accepted_at timestamptz,
      revoked_at timestamptz
    );
    create index invitations_org on invitations(org_id);
    create table sites (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references organisations(id),
      name text not null,
      status text not null check (status in ('provisioning', 'ready', 'suspended', 'failed', 'deleting', 'deleted')),
      status_reason text,
      replicas integer not null default 1,
      memory_mb integer not null default 256,
      secret_key_enc text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      deleted_at timestamptz
    );
    -- A name is unique among live sites; a deleted site's name may be taken again.
    create unique index sites_live_name on sites(name) where status <> 'deleted';
    create index sites_org on sites(org_id, created_at);
    create table site_resources (
      site_id uuid not null references sites(id),
      kind text not null check (kind in ('postgres', 'redis')),
      server text not null,
      username text not null,
      database text,
      key_prefix text,
      secret_enc text not null,
      created_at timestamptz not null default now(),
      primary key (site_id, kind)
    );
    create index site_resources_server on site_resources(kind, server);
    create table audit_events (
      id bigserial primary key,
      at timestamptz not null default now(),
      actor_id uuid,
      actor_label text not null,
      token_id uuid,
      action text not null,
      target_type text not null,
      target_id text,
      org_id uuid,
      ip text,
      details jsonb not null default '{}'
    );
    create index audit_events_at on audit_events(at desc);
    create index audit_events_org on audit_events(org_id, at desc);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table audit_events, site_resources, sites, invitations, memberships, organisations, api_tokens, sessions, accounts`.execute(db);
}
