// An organisation's plan follows its Stripe subscription. The state is always re-read from Stripe
// (every subscription of the customer), never taken from the event that prompted it, so events
// delivered late, twice or out of order all end in the state Stripe holds now. The read and the
// write happen under a lock on the organisation's row, so two refreshes cannot cross.
import type Stripe from 'stripe';
import type { Platform } from '../platform/platform.js';
import { audit, type Actor } from '../audit/audit.js';
import { billingDb } from './tables.js';
import { planOfLookupKey } from './catalogue.js';
import type { Billing } from './stripe.js';

export const stripeActor: Actor = { accountId: null, label: 'stripe' };

/** Statuses in which the subscription's plan applies (past_due: dunning decides, not this). */
const payingStatuses = new Set(['active', 'trialing', 'past_due']);

/** Which of a customer's subscriptions counts: a paying one, else the most recent. */
export function currentSubscription(subs: readonly Stripe.Subscription[]): Stripe.Subscription | undefined {
  const byNewest = [...subs].sort((a, b) => b.created - a.created);
  return byNewest.find((s) => payingStatuses.has(s.status)) ?? byNewest[0];
}

/** The plan a subscription gives: its flat price's plan while it is paid for, else free. */
export function planOfSubscription(sub: Stripe.Subscription | undefined): string {
  if (!sub || !payingStatuses.has(sub.status)) return 'free';
  for (const item of sub.items.data) {
    const plan = planOfLookupKey(item.price.lookup_key);
    if (plan) return plan;
  }
  return 'free';
}

export interface Refreshed {
  orgId: string;
  plan: string;
  status: string | null;
  changed: boolean;
}

/** The organisation a Stripe customer belongs to: our record, else the customer's metadata. */
async function orgOfCustomer(platform: Platform, billing: Billing, customerId: string): Promise<string | undefined> {
  const bdb = billingDb(platform.db);
  const row = await bdb.selectFrom('billing_accounts').select('org_id').where('customer_id', '=', customerId).executeTakeFirst();
  if (row) return row.org_id;
  const customer = await billing.stripe.customers.retrieve(customerId);
  const orgId = 'deleted' in customer && customer.deleted ? undefined : (customer as Stripe.Customer).metadata?.paddock_org_id;
  if (!orgId) return undefined;
  const org = await platform.db.selectFrom('organisations').select('id').where('id', '=', orgId).executeTakeFirst();
  return org?.id;
}

/**
 * Reads the customer's subscriptions from Stripe and sets the organisation's plan from them, in one
 * transaction that also marks `eventId` processed (so an event takes effect exactly once). An
 * unknown customer changes nothing.
 */
export async function refreshCustomer(platform: Platform, billing: Billing, customerId: string, eventId?: string): Promise<Refreshed | undefined> {
  const orgId = await orgOfCustomer(platform, billing, customerId);
  return platform.db.transaction().execute(async (tx) => {
    const trx = billingDb(tx);
    const org = orgId ? await trx.selectFrom('organisations').select(['id', 'plan']).where('id', '=', orgId).forUpdate().executeTakeFirst() : undefined;
    if (eventId) {
      const event = await trx.selectFrom('billing_events').select('processed_at').where('id', '=', eventId).forUpdate().executeTakeFirst();
      if (!event || event.processed_at) return undefined; // another worker finished it
    }
    let result: Refreshed | undefined;
    if (org) {
      const subs: Stripe.Subscription[] = [];
      for await (const s of billing.stripe.subscriptions.list({ customer: customerId, status: 'all', limit: 100 })) subs.push(s);
      const sub = currentSubscription(subs);
      const plan = planOfSubscription(sub);
      const periodEnd = sub?.items.data[0]?.current_period_end;
      await trx.insertInto('billing_accounts').values({ org_id: org.id, customer_id: customerId })
        .onConflict((oc) => oc.column('org_id').doNothing()).execute();
      await trx.updateTable('billing_accounts').set({
        customer_id: customerId,
        subscription_id: sub?.id ?? null,
        subscription_status: sub?.status ?? null,
        subscription_plan: sub ? planOfSubscription({ ...sub, status: 'active' } as Stripe.Subscription) : null,
        period_end: periodEnd ? new Date(periodEnd * 1000) : null,
        updated_at: new Date(),
      }).where('org_id', '=', org.id).execute();
      const changed = org.plan !== plan;
      if (changed) {
        await trx.updateTable('organisations').set({ plan, updated_at: new Date() }).where('id', '=', org.id).execute();
        await audit(tx, stripeActor, { action: 'organisation.plan', targetType: 'organisation', targetId: org.id, orgId: org.id, details: { from: { plan: org.plan }, to: { plan }, subscription: sub?.id ?? null, status: sub?.status ?? null, ...(eventId ? { event: eventId } : {}) } });
      }
      result = { orgId: org.id, plan, status: sub?.status ?? null, changed };
    }
    if (eventId) await trx.updateTable('billing_events').set({ processed_at: new Date() }).where('id', '=', eventId).execute();
    return result;
  });
}
