// The Stripe client of a platform, or null when billing is off (no PADDOCK_STRIPE_SECRET_KEY).
// One SDK instance per platform, made on first use; tests and embedders hand in their own (the
// same SDK, pointed elsewhere with its host/port/protocol options) with useStripe().
import Stripe from 'stripe';
import type { Platform } from '../platform/platform.js';
import { errors } from '../errors.js';

export type StripeClient = InstanceType<typeof Stripe>;

export interface Billing {
  stripe: StripeClient;
  webhookSecret: string;
}

const clients = new WeakMap<Platform, StripeClient>();

/** Whether this platform charges for plans. */
export function billingEnabled(platform: Platform): boolean {
  return platform.config.stripeSecretKey !== '';
}

/** The platform's Stripe client and webhook secret; null when billing is off. */
export function billingOf(platform: Platform): Billing | null {
  if (!billingEnabled(platform)) return null;
  let stripe = clients.get(platform);
  if (!stripe) {
    stripe = new Stripe(platform.config.stripeSecretKey, { maxNetworkRetries: 2, timeout: 20_000, appInfo: { name: 'Paddock' } });
    clients.set(platform, stripe);
  }
  return { stripe, webhookSecret: platform.config.stripeWebhookSecret };
}

/** Like billingOf, for routes: billing off answers 404 PDK_BILLING_OFF. */
export function requireBilling(platform: Platform): Billing {
  const billing = billingOf(platform);
  if (!billing) throw errors.billingOff();
  return billing;
}

/** Use this client for the platform's Stripe calls (tests: the real SDK pointed at a stand-in). */
export function useStripe(platform: Platform, stripe: StripeClient): void {
  clients.set(platform, stripe);
}

/** Stripe's own errors become PDK_STRIPE_UNAVAILABLE; ours pass through. */
export async function callStripe<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof Stripe.errors.StripeError) throw errors.stripeUnavailable(`${what}: ${e.message}`);
    throw e;
  }
}
