// Billing's answers (api/billing.ts): an organisation's billing summary and the Stripe pages it opens.
import { Type } from 'typebox';
import { Timestamp } from './common.js';
import { Quotas } from './orgs.js';

export const PlanOffer = Type.Object({
  name: Type.String(),
  title: Type.String(),
  monthlyCents: Type.Integer(),
  quotas: Quotas,
  usagePrices: Type.Array(Type.Object({ meter: Type.String(), cents: Type.Number(), per: Type.String() })),
});

export const BillingOut = Type.Object({
  org: Type.String(),
  plan: Type.String(),
  planTitle: Type.String(),
  quotas: Quotas,
  subscription: Type.Union([Type.Null(), Type.Object({ id: Type.String(), status: Type.String(), plan: Type.Union([Type.String(), Type.Null()]), periodEnd: Type.Union([Timestamp, Type.Null()]) })]),
  usage: Type.Object({ sites: Type.Object({ used: Type.Integer(), limit: Type.Integer() }) }),
  plans: Type.Array(PlanOffer),
  invoices: Type.Union([Type.Null(), Type.Object({
    upcoming: Type.Union([Type.Null(), Type.Object({ amountDueCents: Type.Integer(), currency: Type.String(), date: Type.Union([Timestamp, Type.Null()]) })]),
    past: Type.Array(Type.Object({
      id: Type.String(), number: Type.Union([Type.String(), Type.Null()]), status: Type.Union([Type.String(), Type.Null()]),
      totalCents: Type.Integer(), currency: Type.String(), created: Timestamp,
      hostedUrl: Type.Union([Type.String(), Type.Null()]), pdfUrl: Type.Union([Type.String(), Type.Null()]),
    })),
  })], { description: "Null when the organisation never subscribed, or Stripe did not answer" }),
});

export const SessionOut = Type.Object({ url: Type.String({ description: 'Where to send the owner: a page on Stripe' }) });
