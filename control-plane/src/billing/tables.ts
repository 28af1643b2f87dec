// Billing's tables as Kysely sees them (migration 20261207T1600_billing), added to the platform
// database's type with `withTables`, so store/schema.ts stays the accounts-and-sites core.
import type { ColumnType, Generated } from 'kysely';
import type { Db } from '../store/db.js';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export type BillingAccountsTable = {
  org_id: string;
  /** The organisation's Stripe customer (cus_...), made at its first checkout. */
  customer_id: string;
  subscription_id: string | null;
  /** Stripe's subscription status as last read from Stripe (active, past_due, canceled, ...). */
  subscription_status: string | null;
  /** The plan the subscription's flat price is for, as last read. */
  subscription_plan: string | null;
  period_end: NullableTimestamp;
  updated_at: Generated<Date>;
};

export type BillingEventsTable = {
  /** Stripe's event id (evt_...): an event is stored, and takes effect, once. */
  id: string;
  type: string;
  payload: Json<Record<string, unknown>>;
  received_at: Generated<Date>;
  processed_at: NullableTimestamp;
};

export type BillingMeterReportsTable = {
  /** `<org id>:<meter event name>:<hour, ISO>`: the meter event's identifier, which Stripe keeps unique. */
  identifier: string;
  org_id: string;
  meter: string;
  hour: Date;
  /** What the platform measured for the hour, in the meter's unit. */
  value: number;
  sent_at: NullableTimestamp;
};

export type BillingTables = {
  billing_accounts: BillingAccountsTable;
  billing_events: BillingEventsTable;
  billing_meter_reports: BillingMeterReportsTable;
};

export function billingDb(db: Db) {
  return db.withTables<BillingTables>();
}
export type BillingDb = ReturnType<typeof billingDb>;
