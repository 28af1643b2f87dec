// Certificates the edge serves, one per host name: platform subdomains (from the dev CA, or an
// operator's), custom domains (ACME). Private keys are sealed with the master key.
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
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table certificates`.execute(db);
}
