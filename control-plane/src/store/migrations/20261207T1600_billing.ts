// Billing with Stripe (issue 17): an organisation's Stripe customer and the subscription state
// last read from Stripe; every webhook event received, stored once by its Stripe id so a
// replayed delivery changes nothing; and the usage reported to Stripe's meters, one row per
// (organisation, meter, hour) holding the value measured, so a retry sends the same value again.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table billing_accounts (
      org_id uuid primary key references organisations(id) on delete cascade,
      customer_id text not null unique,
      subscription_id text,
      subscription_status text,
      subscription_plan text,
      period_end timestamptz,
      updated_at timestamptz not null default now()
    );
    create table billing_events (
      id text primary key,
      type text not null,
      payload jsonb not null,
      received_at timestamptz not null default now(),
      processed_at timestamptz
    );
    create index billing_events_unprocessed on billing_events (received_at) where processed_at is null;
    create table billing_meter_reports (
      identifier text primary key,
      org_id uuid not null references organisations(id) on delete cascade,
      meter text not null,
      hour timestamptz not null,
      value bigint not null,
      sent_at timestamptz
    );
    create index billing_meter_reports_unsent on billing_meter_reports (hour) where sent_at is null;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table billing_meter_reports; drop table billing_events; drop table billing_accounts;`.execute(db);
}
