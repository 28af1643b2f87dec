// An organisation's billing, through the API: on platforms that charge for plans (Stripe
// configured); elsewhere the API answers PDK_BILLING_OFF and the dashboard shows nothing of it.
import 'server-only';
import { api } from './api';
import { ApiError } from './errors';
import type { BillingSummary } from '@paddock/control-plane/api-types';

export type { BillingSummary, PlanOffer } from '@paddock/control-plane/api-types';

const path = (org: string) => `/v1/orgs/${encodeURIComponent(org)}/billing`;

/** The organisation's billing, or null where billing is off. */
export async function billingOf(token: string, org: string): Promise<BillingSummary | null> {
  try {
    return await api<BillingSummary>(path(org), { token });
  } catch (e) {
    if (e instanceof ApiError && e.code === 'PDK_BILLING_OFF') return null;
    throw e;
  }
}

/** The URL of a Stripe Checkout page subscribing the organisation to `plan`. */
export async function checkoutUrl(token: string, org: string, plan: string): Promise<string> {
  return (await api<{ url: string }>(`${path(org)}/checkout`, { method: 'POST', token, body: { plan } })).url;
}

/** The URL of the organisation's Stripe Customer Portal. */
export async function portalUrl(token: string, org: string): Promise<string> {
  return (await api<{ url: string }>(`${path(org)}/portal`, { method: 'POST', token })).url;
}

export const paying = (status: string | undefined) => status === 'active' || status === 'trialing' || status === 'past_due';

export function money(cents: number): string {
  return `$${(cents / 100).toFixed(cents % 100 === 0 ? 0 : 2)}`;
}
