// Usage to Stripe's Billing Meters, hourly: for every organisation with a Stripe customer, what its
// sites used in one hour — requests, and awake memory (MiB-hours: each minute a site's replicas
// were sampled awake counts its memory for that minute), both from the per-site metrics the edges
// keep — sent as one meter event per (organisation, meter, hour) whose identifier Stripe keeps
// unique. The value is recorded before it is sent, so a retry sends the same value, and an hour
// reported already is skipped: usage is never counted twice. Events Stripe refused stay unsent and
// are sent again by the next run. Database storage (GB-month) is not measured yet.
import type { Platform } from '../platform/platform.js';
import { siteMetricsStore } from '../metrics/site-metrics.js';
import { billingDb } from './tables.js';
import { meters } from './catalogue.js';
import type { Billing } from './stripe.js';

const HOUR_MS = 3600_000;
const MINUTE_MS = 60_000;

export interface MeterReport {
  /** Events sent by this run. */
  sent: number;
  /** Events that failed to send (left for the next run). */
  failed: number;
}

/** The last `count` complete hours, oldest first. */
export function completeHours(now = Date.now(), count = 2): Date[] {
  const current = Math.floor(now / HOUR_MS) * HOUR_MS;
  return Array.from({ length: count }, (_, i) => new Date(current - (count - i) * HOUR_MS));
}

/**
 * The hourly job: measures the last two complete hours (an hour measured already is kept as it
 * was, so a run that was late or missed is caught up by the next), then sends what is unsent.
 */
export async function meterRecentHours(platform: Platform, billing: Billing, now = Date.now()): Promise<MeterReport> {
  const total: MeterReport = { sent: 0, failed: 0 };
  for (const hour of completeHours(now)) {
    const r = await meterHour(platform, billing, hour);
    total.sent += r.sent;
    total.failed = r.failed;
  }
  return total;
}

/** Measures one hour for every billed organisation (once: measured hours are kept), then sends whatever is unsent. */
export async function meterHour(platform: Platform, billing: Billing, hour: Date): Promise<MeterReport> {
  const start = Math.floor(hour.getTime() / HOUR_MS) * HOUR_MS;
  const bdb = billingDb(platform.db);
  const orgs = await bdb.selectFrom('billing_accounts').innerJoin('sites', 'sites.org_id', 'billing_accounts.org_id')
    .select(['billing_accounts.org_id', 'sites.id as site_id']).execute();
  const store = siteMetricsStore(platform.redis, platform.queues.prefix);
  const usage = new Map<string, { requests: number; mibMinutes: number }>();
  for (const { org_id: orgId, site_id: siteId } of orgs) {
    const p = platform.redis.pipeline();
    for (let m = start / MINUTE_MS; m < (start + HOUR_MS) / MINUTE_MS; m++) p.hmget(store.key(siteId, m), 'req', 'mem');
    const u = usage.get(orgId) ?? { requests: 0, mibMinutes: 0 };
    for (const [err, value] of (await p.exec()) ?? []) {
      if (err) throw err;
      const [req, mem] = value as [string | null, string | null];
      u.requests += Number(req ?? 0);
      u.mibMinutes += Number(mem ?? 0) / (1024 * 1024);
    }
    usage.set(orgId, u);
  }
  const hourIso = new Date(start).toISOString();
  const rows = [...usage].flatMap(([orgId, u]) => [
    { meter: meters.find((m) => m.key === 'requests')!.eventName, value: u.requests, orgId },
    { meter: meters.find((m) => m.key === 'awake')!.eventName, value: Math.ceil(u.mibMinutes / 60), orgId },
  ]).filter((r) => r.value > 0);
  if (rows.length) {
    await bdb.insertInto('billing_meter_reports')
      .values(rows.map((r) => ({ identifier: `${r.orgId}:${r.meter}:${hourIso}`, org_id: r.orgId, meter: r.meter, hour: new Date(start), value: r.value })))
      .onConflict((oc) => oc.column('identifier').doNothing()).execute();
  }
  return sendUnsent(platform, billing);
}

/** Sends every recorded, unsent meter event (oldest first); a failure leaves it for the next run. */
export async function sendUnsent(platform: Platform, billing: Billing): Promise<MeterReport> {
  const bdb = billingDb(platform.db);
  const unsent = await bdb.selectFrom('billing_meter_reports').innerJoin('billing_accounts', 'billing_accounts.org_id', 'billing_meter_reports.org_id')
    .select(['identifier', 'meter', 'hour', 'value', 'customer_id']).where('sent_at', 'is', null).orderBy('hour').execute();
  const report: MeterReport = { sent: 0, failed: 0 };
  for (const r of unsent) {
    try {
      await billing.stripe.billing.meterEvents.create({
        event_name: r.meter,
        identifier: r.identifier,
        // Inside the hour measured, so Stripe bills it to the period that hour belongs to.
        timestamp: Math.floor(r.hour.getTime() / 1000) + 3599,
        payload: { stripe_customer_id: r.customer_id, value: String(r.value) },
      }, { idempotencyKey: r.identifier }); // a resend after a lost answer gets the first answer back
      await bdb.updateTable('billing_meter_reports').set({ sent_at: new Date() }).where('identifier', '=', r.identifier).execute();
      report.sent++;
    } catch (err) {
      report.failed++;
      platform.logger.warn({ err, identifier: r.identifier }, 'a meter event was not accepted by Stripe; the next metering run sends it again');
    }
  }
  return report;
}
