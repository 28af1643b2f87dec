// What Paddock sells, as Stripe objects: each paid plan is a product (id `paddock_<plan>`) with a
// flat monthly price and three prices on Billing Meters — awake site memory (GB-hours), requests
// (per million) and database storage (GB-month). Every price carries a lookup key
// (`paddock_<plan>_<part>`), so syncCatalogue() finds what exists, creates what is missing and
// replaces a price whose amount changed (a new price takes the lookup key over: Stripe prices are
// immutable); running it again changes nothing. The free plan has no product: no subscription.
import Stripe from 'stripe';
import { plans } from '../orgs/plans.js';
import type { StripeClient } from './stripe.js';

export const currency = 'usd';

/** A meter counts integer units; its prices turn them into what customers read (GB-hours, millions, GB-months). */
export interface MeterSpec {
  key: 'awake' | 'requests' | 'database';
  eventName: string;
  displayName: string;
  /** The unit of a meter event's value. */
  unit: string;
  /** How many units make one billed unit (transform_quantity.divide_by). */
  divideBy: number;
  /** What a price is per, for people. */
  per: string;
}

export const meters: readonly MeterSpec[] = [
  { key: 'awake', eventName: 'paddock_awake_mb_hours', displayName: 'Awake site memory', unit: 'MiB-hour', divideBy: 1024, per: 'GB-hour awake' },
  { key: 'requests', eventName: 'paddock_requests', displayName: 'Requests', unit: 'request', divideBy: 1_000_000, per: 'million requests' },
  { key: 'database', eventName: 'paddock_database_mb_hours', displayName: 'Database storage', unit: 'MiB-hour', divideBy: 1024 * 730, per: 'GB-month of database' },
];

export interface PlanPrice {
  /** Flat monthly price, cents. */
  monthlyCents: number;
  /** Cents per billed unit of each meter. */
  meterCents: Record<MeterSpec['key'], number>;
}

/** The paid plans' prices. Plans not listed here (free) are not sold. */
export const planPrices: Record<string, PlanPrice> = {
  pro: { monthlyCents: 2000, meterCents: { awake: 1, requests: 50, database: 25 } },
  business: { monthlyCents: 20000, meterCents: { awake: 1, requests: 40, database: 20 } },
};

export const plansForSale = Object.keys(planPrices).filter((p) => plans[p]);

export const productId = (plan: string) => `paddock_${plan}`;
export const flatLookupKey = (plan: string) => `paddock_${plan}_monthly`;
export const meterLookupKey = (plan: string, meter: MeterSpec['key']) => `paddock_${plan}_${meter}`;

/** The plan a flat price's lookup key is for, if it is one of ours. */
export function planOfLookupKey(lookupKey: string | null | undefined): string | undefined {
  const m = /^paddock_([a-z0-9-]+)_monthly$/.exec(lookupKey ?? '');
  return m && planPrices[m[1]!] ? m[1] : undefined;
}

/** Every lookup key of a plan's prices, flat first. */
export function lookupKeysOf(plan: string): string[] {
  return [flatLookupKey(plan), ...meters.map((m) => meterLookupKey(plan, m.key))];
}

export interface SyncReport {
  created: string[];
  updated: string[];
  unchanged: string[];
}

interface WantedPrice {
  lookupKey: string;
  product: string;
  params: Stripe.PriceCreateParams;
  matches(price: Stripe.Price): boolean;
}

/** Two decimal amounts are equal ("1" and "1.000" are). */
function sameDecimal(a: Stripe.Decimal | string, b: Stripe.Decimal): boolean {
  return Stripe.Decimal.from(String(a)).toString() === b.toString();
}

/** Creates or updates the meters, products and prices in Stripe; idempotent. */
export async function syncCatalogue(stripe: StripeClient, progress: (line: string) => void = () => {}): Promise<SyncReport> {
  const report: SyncReport = { created: [], updated: [], unchanged: [] };
  const note = (kind: keyof SyncReport, what: string) => {
    report[kind].push(what);
    progress(`${kind === 'unchanged' ? '=' : kind === 'created' ? '+' : '~'} ${what}`);
  };

  // Meters: found by their event name, which Stripe keeps unique per account.
  const existing = new Map<string, Stripe.Billing.Meter>();
  for await (const meter of stripe.billing.meters.list({ limit: 100 })) existing.set(meter.event_name, meter);
  const meterIds = {} as Record<MeterSpec['key'], string>;
  for (const spec of meters) {
    let meter = existing.get(spec.eventName);
    if (!meter) {
      meter = await stripe.billing.meters.create({
        display_name: spec.displayName,
        event_name: spec.eventName,
        default_aggregation: { formula: 'sum' },
        customer_mapping: { type: 'by_id', event_payload_key: 'stripe_customer_id' },
        value_settings: { event_payload_key: 'value' },
      });
      note('created', `meter ${spec.eventName}`);
    } else if (meter.status !== 'active') {
      meter = await stripe.billing.meters.reactivate(meter.id);
      note('updated', `meter ${spec.eventName} (reactivated)`);
    } else note('unchanged', `meter ${spec.eventName}`);
    meterIds[spec.key] = meter.id;
  }

  // Products: our own ids, so a second run finds them.
  for (const plan of plansForSale) {
    const id = productId(plan);
    const name = `Paddock ${plans[plan]!.title}`;
    const product = await stripe.products.retrieve(id).catch((e: { statusCode?: number }) => {
      if (e.statusCode === 404) return null;
      throw e;
    });
    if (!product) {
      await stripe.products.create({ id, name, metadata: { paddock_plan: plan } });
      note('created', `product ${id}`);
    } else if (product.name !== name || !product.active) {
      await stripe.products.update(id, { name, active: true });
      note('updated', `product ${id}`);
    } else note('unchanged', `product ${id}`);
  }

  // Prices: by lookup key.
  const wanted: WantedPrice[] = [];
  for (const plan of plansForSale) {
    const price = planPrices[plan]!;
    wanted.push({
      lookupKey: flatLookupKey(plan),
      product: productId(plan),
      params: { currency, product: productId(plan), unit_amount: price.monthlyCents, recurring: { interval: 'month', usage_type: 'licensed' }, nickname: `${plans[plan]!.title} monthly` },
      matches: (p) => p.unit_amount === price.monthlyCents && p.recurring?.usage_type === 'licensed',
    });
    for (const spec of meters) {
      const cents = Stripe.Decimal.from(price.meterCents[spec.key]);
      wanted.push({
        lookupKey: meterLookupKey(plan, spec.key),
        product: productId(plan),
        params: {
          currency, product: productId(plan), unit_amount_decimal: cents,
          recurring: { interval: 'month', usage_type: 'metered', meter: meterIds[spec.key] },
          transform_quantity: { divide_by: spec.divideBy, round: 'up' },
          nickname: `${plans[plan]!.title}: per ${spec.per}`,
        },
        matches: (p) => p.unit_amount_decimal !== null && sameDecimal(p.unit_amount_decimal, cents) && p.recurring?.meter === meterIds[spec.key] && p.transform_quantity?.divide_by === spec.divideBy,
      });
    }
  }
  const found = new Map<string, Stripe.Price>();
  for await (const price of stripe.prices.list({ lookup_keys: wanted.map((w) => w.lookupKey), active: true, limit: 100 })) {
    if (price.lookup_key) found.set(price.lookup_key, price);
  }
  for (const w of wanted) {
    const current = found.get(w.lookupKey);
    const sameProduct = current && (typeof current.product === 'string' ? current.product : current.product.id) === w.product;
    if (current && sameProduct && current.currency === currency && w.matches(current)) {
      note('unchanged', `price ${w.lookupKey}`);
      continue;
    }
    await stripe.prices.create({ ...w.params, lookup_key: w.lookupKey, transfer_lookup_key: true, metadata: { paddock_lookup_key: w.lookupKey } });
    if (current) {
      await stripe.prices.update(current.id, { active: false });
      note('updated', `price ${w.lookupKey}`);
    } else note('created', `price ${w.lookupKey}`);
  }
  return report;
}
