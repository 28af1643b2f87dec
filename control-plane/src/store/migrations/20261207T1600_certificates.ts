// Certificates the edge serves, one per host name: platform subdomains (from the dev CA, or an
// operator's), custom domains (ACME). Private keys are sealed with the master key. Beside them:
// each custom domain's issuance state, the ACME account per directory, and the HTTP-01 challenges
// under way (the edges answer them).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table certificates (
      host text primary key check (host = lower(host)),
      source text not null check (source in ('dev-ca', 'acme', 'operator')),
      cert_pem text not null,
      key_enc text not null,
      serial text not null,
      not_after timestamptz not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create table certificate_states (
      host text primary key check (host = lower(host)),
      state text not null check (state in ('pending', 'issued', 'renewing', 'failed')),
      last_error text,
      retry_at timestamptz,
      attempts integer not null default 0,
      updated_at timestamptz not null default now()
    );
    create table acme_accounts (
      directory_url text primary key,
      key_enc text not null,
      account_url text,
      created_at timestamptz not null default now()
    );
    create table acme_challenges (
      token text primary key,
      host text not null,
      key_authorization text not null,
      created_at timestamptz not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table acme_challenges, acme_accounts, certificate_states, certificates`.execute(db);
}
