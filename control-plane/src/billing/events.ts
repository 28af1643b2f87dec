// Stripe's webhook events: checked, stored once by id, and handed to the billing queue. A replay of
// an event already processed changes nothing; one stored but not yet processed (the queue was away,
// a worker died) is queued again, and the job skips whatever is done already.
import type Stripe from 'stripe';
import type { Platform } from '../platform/platform.js';
import { errors } from '../errors.js';
import { billingDb } from './tables.js';
import { requireBilling, billingOf } from './stripe.js';
import { refreshCustomer } from './subscriptions.js';

/** How old a signed webhook may be (seconds): Stripe's own default. */
export const WEBHOOK_TOLERANCE_S = 300;

/** The events that may change a subscription; every other event is stored and marked done. */
export const subscriptionEvents = new Set([
  'checkout.session.completed',
  'customer.subscription.created', 'customer.subscription.updated', 'customer.subscription.deleted',
  'customer.subscription.paused', 'customer.subscription.resumed',
  'invoice.paid', 'invoice.payment_succeeded', 'invoice.payment_failed',
]);

export interface Received {
  id: string;
  /** Already processed: nothing was done. */
  duplicate: boolean;
}

/** Checks the signature, stores the event once and queues it; throws PDK_WEBHOOK_SIGNATURE. */
export async function receiveEvent(platform: Platform, rawBody: Buffer, signature: string | undefined): Promise<Received> {
  const billing = requireBilling(platform);
  let event: Stripe.Event;
  try {
    if (!signature) throw new Error('the Stripe-Signature header is missing');
    event = billing.stripe.webhooks.constructEvent(rawBody, signature, billing.webhookSecret, WEBHOOK_TOLERANCE_S);
  } catch (e) {
    throw errors.webhookSignature(e instanceof Error ? e.message : String(e));
  }
  const bdb = billingDb(platform.db);
  await bdb.insertInto('billing_events').values({ id: event.id, type: event.type, payload: JSON.stringify(event) })
    .onConflict((oc) => oc.column('id').doNothing()).execute();
  const row = await bdb.selectFrom('billing_events').select('processed_at').where('id', '=', event.id).executeTakeFirstOrThrow();
  if (row.processed_at) return { id: event.id, duplicate: true };
  // Queued by event id: a second delivery while the first is queued adds no second job.
  await platform.queues.billing.add('event', { eventId: event.id }, { jobId: event.id });
  return { id: event.id, duplicate: false };
}

function customerOf(event: Stripe.Event): string | undefined {
  const object = event.data.object as { customer?: string | { id: string } | null };
  const c = object.customer;
  return typeof c === 'string' ? c : c?.id;
}

/** The billing job: applies one stored event. Safe to run again: a processed event is skipped. */
export async function processEvent(platform: Platform, eventId: string): Promise<'processed' | 'skipped'> {
  const billing = billingOf(platform);
  if (!billing) return 'skipped';
  const bdb = billingDb(platform.db);
  const row = await bdb.selectFrom('billing_events').select(['payload', 'processed_at']).where('id', '=', eventId).executeTakeFirst();
  if (!row || row.processed_at) return 'skipped';
  const event = row.payload as unknown as Stripe.Event;
  const customer = subscriptionEvents.has(event.type) ? customerOf(event) : undefined;
  if (customer) await refreshCustomer(platform, billing, customer, eventId);
  else await bdb.updateTable('billing_events').set({ processed_at: new Date() }).where('id', '=', eventId).where('processed_at', 'is', null).execute();
  return 'processed';
}

/** Queues every stored event not processed yet (at worker start: whatever a dead process left). */
export async function enqueueUnprocessedEvents(platform: Platform): Promise<number> {
  const rows = await billingDb(platform.db).selectFrom('billing_events').select('id').where('processed_at', 'is', null).orderBy('received_at').execute();
  for (const r of rows) await platform.queues.billing.add('event', { eventId: r.id }, { jobId: r.id });
  return rows.length;
}
