// What an organisation's owner does with billing: see the plan and what the platform sells, open a
// Stripe Checkout session to subscribe, and the Customer Portal for cards, invoices, plan changes
// and cancellation. The organisation's Stripe customer is made once (idempotency key per
// organisation), at its first checkout.
import type { Platform } from '../platform/platform.js';
import type { OrgAccess } from '../orgs/access.js';
import { errors } from '../errors.js';
import { plans, quotasOf, type Quotas } from '../orgs/plans.js';
import { billingDb } from './tables.js';
import { callStripe, type Billing } from './stripe.js';
import { lookupKeysOf, meters, planPrices, plansForSale } from './catalogue.js';
import { invoicesOf, type Invoices } from './invoices.js';

type Organisation = OrgAccess['org'];

export interface PlanOffer {
  name: string;
  title: string;
  monthlyCents: number;
  quotas: Quotas;
  /** Cents per billed unit of each meter, and what the unit is. */
  usagePrices: Array<{ meter: string; cents: number; per: string }>;
}

export interface BillingSummary {
  org: string;
  plan: string;
  planTitle: string;
  quotas: Quotas;
  subscription: { id: string; status: string; plan: string | null; periodEnd: string | null } | null;
  usage: { sites: { used: number; limit: number } };
  plans: PlanOffer[];
  /** Null when the organisation never subscribed, or Stripe did not answer. */
  invoices: Invoices | null;
}

const paying = new Set(['active', 'trialing', 'past_due']);

export function offers(): PlanOffer[] {
  return plansForSale.map((name) => ({
    name,
    title: plans[name]!.title,
    monthlyCents: planPrices[name]!.monthlyCents,
    quotas: plans[name]!.quotas,
    usagePrices: meters.map((m) => ({ meter: m.key, cents: planPrices[name]!.meterCents[m.key], per: m.per })),
  }));
}

export async function billingSummary(platform: Platform, billing: Billing, org: Organisation): Promise<BillingSummary> {
  const account = await billingDb(platform.db).selectFrom('billing_accounts').selectAll().where('org_id', '=', org.id).executeTakeFirst();
  const sites = await platform.db.selectFrom('sites').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', org.id).where('status', 'not in', ['deleting', 'deleted']).executeTakeFirstOrThrow();
  const quotas = quotasOf(org.plan, org.quota_overrides);
  return {
    org: org.name,
    plan: org.plan,
    planTitle: plans[org.plan]?.title ?? org.plan,
    quotas,
    subscription: account?.subscription_id && account.subscription_status ? {
      id: account.subscription_id,
      status: account.subscription_status,
      plan: account.subscription_plan,
      periodEnd: account.period_end?.toISOString() ?? null,
    } : null,
    usage: { sites: { used: Number(sites.n), limit: quotas.sites } },
    plans: offers(),
    invoices: account ? await invoicesOf(platform, billing, account.customer_id, account.subscription_status && paying.has(account.subscription_status) ? account.subscription_id : null) : null,
  };
}

/** The organisation's Stripe customer id, made on first need. */
async function customerOf(platform: Platform, billing: Billing, org: Organisation): Promise<string> {
  const bdb = billingDb(platform.db);
  const row = await bdb.selectFrom('billing_accounts').select('customer_id').where('org_id', '=', org.id).executeTakeFirst();
  if (row) return row.customer_id;
  const customer = await callStripe('creating the customer', () => billing.stripe.customers.create(
    { name: org.name, metadata: { paddock_org_id: org.id, paddock_org: org.name } },
    { idempotencyKey: `paddock-customer-${org.id}` },
  ));
  await bdb.insertInto('billing_accounts').values({ org_id: org.id, customer_id: customer.id })
    .onConflict((oc) => oc.column('org_id').doNothing()).execute();
  const kept = await bdb.selectFrom('billing_accounts').select('customer_id').where('org_id', '=', org.id).executeTakeFirstOrThrow();
  return kept.customer_id;
}

/** The dashboard's Billing page of the organisation, where Stripe sends the owner back. */
function billingPageUrl(platform: Platform, org: Organisation): string {
  return `${platform.config.publicUrl}/billing?org=${encodeURIComponent(org.name)}`;
}

/** A Checkout session subscribing the organisation to `plan`; its URL is where the owner pays. */
export async function checkoutSession(platform: Platform, billing: Billing, org: Organisation, plan: string): Promise<{ url: string; id: string }> {
  if (!plansForSale.includes(plan)) throw errors.planNotForSale(plan, plansForSale.map((p) => `"${p}"`).join(', '));
  const account = await billingDb(platform.db).selectFrom('billing_accounts').select(['subscription_status', 'subscription_plan']).where('org_id', '=', org.id).executeTakeFirst();
  if (account?.subscription_status && paying.has(account.subscription_status)) throw errors.alreadySubscribed(org.name, account.subscription_plan ?? org.plan);
  const keys = lookupKeysOf(plan);
  const prices = await callStripe('reading the prices', () => billing.stripe.prices.list({ lookup_keys: keys, active: true, limit: 100 }));
  const byKey = new Map(prices.data.map((p) => [p.lookup_key, p]));
  if (keys.some((k) => !byKey.has(k))) throw errors.billingNotSynced(plan);
  const customer = await customerOf(platform, billing, org);
  const back = billingPageUrl(platform, org);
  const session = await callStripe('opening the checkout', () => billing.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer,
    client_reference_id: org.id,
    // Metered prices take no quantity: Stripe bills what the meters counted.
    line_items: keys.map((k, i) => (i === 0 ? { price: byKey.get(k)!.id, quantity: 1 } : { price: byKey.get(k)!.id })),
    subscription_data: { metadata: { paddock_org_id: org.id, paddock_plan: plan } },
    success_url: `${back}&checkout=done`,
    cancel_url: `${back}&checkout=cancelled`,
  }));
  if (!session.url) throw errors.stripeUnavailable('the checkout session came back without a URL');
  return { url: session.url, id: session.id };
}

/** A Customer Portal session: cards, invoices, plan changes and cancellation, on Stripe. */
export async function portalSession(platform: Platform, billing: Billing, org: Organisation): Promise<{ url: string }> {
  const row = await billingDb(platform.db).selectFrom('billing_accounts').select('customer_id').where('org_id', '=', org.id).executeTakeFirst();
  if (!row) throw errors.noBillingCustomer(org.name);
  const session = await callStripe('opening the customer portal', () => billing.stripe.billingPortal.sessions.create({
    customer: row.customer_id,
    return_url: billingPageUrl(platform, org),
  }));
  return { url: session.url };
}
