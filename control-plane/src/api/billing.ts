// Billing over HTTP (issue 17): Stripe's webhook, an organisation's billing summary, Checkout and
// Customer Portal sessions. With billing off (no Stripe key) every route answers 404
// PDK_BILLING_OFF. The rules live in ../billing/.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { receiveEvent } from '../billing/events.js';
import { billingSummary, checkoutSession, portalSession } from '../billing/checkout.js';
import { requireBilling } from '../billing/stripe.js';
import { BillingOut, SessionOut } from './schemas/billing.js';
import { DnsLabel, ErrorBody, errorResponses } from './schemas/common.js';

const OrgParams = Type.Object({ org: DnsLabel });


/** Stripe's webhook: the raw body is what the signature covers, so it is read as bytes, not JSON. */
const webhookPlugin: FastifyPluginAsync = async (app) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/v1/billing/webhook', {
    config: { auth: false },
    schema: {
      tags: ['billing'],
      summary: "Stripe's webhook endpoint: events signed with PADDOCK_STRIPE_WEBHOOK_SECRET (Stripe-Signature, 300 s tolerance), stored once by id and applied by a job",
      response: { 200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() }), 400: ErrorBody, 404: ErrorBody, 503: ErrorBody },
    },
  }, async (request) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const signature = request.headers['stripe-signature'];
    const received = await receiveEvent(app.platform, body, Array.isArray(signature) ? signature[0] : signature);
    return { received: true, duplicate: received.duplicate };
  });
};

export const billingPlugin: FastifyPluginAsync = async (root) => {
  await root.register(webhookPlugin);
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { platform } = app;
  const tags = ['billing'];

  app.get('/v1/orgs/:org/billing', {
    config: { auth: { scope: 'read', org: 'read' } },
    schema: { tags, summary: "An organisation's plan, subscription, usage against its quotas, and the plans for sale", params: OrgParams, response: { 200: BillingOut, ...errorResponses } },
  }, async (request) => {
    return billingSummary(platform, requireBilling(platform), request.orgAccess.org);
  });

  app.post('/v1/orgs/:org/billing/checkout', {
    config: { auth: { scope: 'write', org: 'manageBilling' } },
    schema: {
      tags, summary: 'Subscribe the organisation to a plan: answers the URL of a Stripe Checkout page (owners)',
      params: OrgParams,
      body: Type.Object({ plan: Type.String({ minLength: 1, maxLength: 50 }) }, { additionalProperties: false }),
      response: { 200: SessionOut, 502: ErrorBody, ...errorResponses },
    },
  }, async (request) => {
    const billing = requireBilling(platform);
    const { url } = await checkoutSession(platform, billing, request.orgAccess.org, request.body.plan);
    return { url };
  });

  app.post('/v1/orgs/:org/billing/portal', {
    config: { auth: { scope: 'write', org: 'manageBilling' } },
    schema: {
      tags, summary: "The URL of the organisation's Stripe Customer Portal: cards, invoices, plan changes, cancellation (owners)",
      params: OrgParams,
      response: { 200: SessionOut, 502: ErrorBody, ...errorResponses },
    },
  }, async (request) => {
    const billing = requireBilling(platform);
    return portalSession(platform, billing, request.orgAccess.org);
  });
};
