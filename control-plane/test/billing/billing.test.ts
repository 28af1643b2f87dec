import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { call, signup, type User } from '../support/api.js';
import { bootstrapOperator } from '../../src/accounts/operator.js';
import { billingSync } from '../../src/billing/sync-command.js';
import { lookupKeysOf, planPrices, syncCatalogue } from '../../src/billing/catalogue.js';
import { useStripe } from '../../src/billing/stripe.js';
import { billingDb } from '../../src/billing/tables.js';
import { startBillingWorker } from '../../src/jobs/billing.js';
import { startWorkers, type RunningWorkers } from '../../src/jobs/workers.js';
import { completeHours, meterRecentHours } from '../../src/billing/metering.js';
import { billingOf } from '../../src/billing/stripe.js';
import { siteMetricsStore } from '../../src/metrics/site-metrics.js';
import { StripeStandIn } from './stripe-stand-in.js';

const WEBHOOK_SECRET = 'whsec_paddocktest';
const billingEnv = { PADDOCK_STRIPE_SECRET_KEY: 'sk_test_paddock', PADDOCK_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET };
const signer = new Stripe('sk_test_signer');

function sink(): Writable & { text: string } {
  const w = new Writable({ write(chunk, _enc, done) { w.text += String(chunk); done(); } }) as Writable & { text: string };
  w.text = '';
  return w;
}

async function deliver(t: TestPlatform, payload: string, header?: string) {
  const res = await t.app.inject({
    method: 'POST', url: '/v1/billing/webhook', payload,
    headers: { 'content-type': 'application/json; charset=utf-8', ...(header !== undefined ? { 'stripe-signature': header } : {}) },
  });
  return { status: res.statusCode, body: res.json() };
}

function signed(payload: string, timestamp?: number): string {
  return signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET, ...(timestamp ? { timestamp } : {}) });
}

/** Waits for a condition on the database (events are applied by a job), failing after a generous deadline. */
async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 25));
  } while (Date.now() < deadline);
  throw new Error(`${what} did not happen within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}

describe('billing off (no Stripe key)', () => {
  let t: TestPlatform;
  let owner: User;
  before(async () => {
    t = await startTestPlatform({ env: { PADDOCK_OPERATOR_EMAIL: 'op-billing-off@example.test', PADDOCK_OPERATOR_PASSWORD: 'operator password 1' } });
    owner = await signup(t.app, 'nobill');
  });
  after(async () => { await t.close(); });

  test('every billing route answers 404 PDK_BILLING_OFF and the webhook takes nothing', async () => {
    for (const [method, url] of [['GET', `/v1/orgs/${owner.org}/billing`], ['POST', `/v1/orgs/${owner.org}/billing/checkout`], ['POST', `/v1/orgs/${owner.org}/billing/portal`]] as const) {
      const r = await call(t.app, owner.token, method, url, method === 'POST' && url.endsWith('checkout') ? { plan: 'pro' } : undefined);
      assert.equal(r.status, 404, `${method} ${url}`);
      assert.equal(r.body.error.code, 'PDK_BILLING_OFF');
      assert.match(r.body.error.message, /plans are set by its operator/);
    }
    const hook = await deliver(t, '{"id":"evt_1"}', signed('{"id":"evt_1"}'));
    assert.equal(hook.status, 404);
    assert.equal(hook.body.error.code, 'PDK_BILLING_OFF');
    assert.equal((await billingDb(t.platform.db).selectFrom('billing_events').selectAll().execute()).length, 0);
  });

  test('operators set plans as before', async () => {
    await bootstrapOperator(t.platform);
    const op = (await call(t.app, undefined, 'POST', '/v1/auth/login', { email: 'op-billing-off@example.test', password: 'operator password 1' })).body.session.token;
    const org = (await call(t.app, op, 'GET', `/v1/admin/orgs?q=${owner.org}`)).body.organisations[0];
    assert.equal((await call(t.app, op, 'PATCH', `/v1/admin/orgs/${org.id}`, { plan: 'pro' })).body.plan, 'pro');
    assert.equal((await call(t.app, owner.token, 'GET', `/v1/orgs/${owner.org}`)).body.plan, 'pro');
  });

  test('billing:sync refuses, saying billing is off', async () => {
    const err = sink();
    assert.equal(await billingSync(t.config, sink(), err), 2);
    assert.match(err.text, /Billing is off: PADDOCK_STRIPE_SECRET_KEY is not set/);
  });

  test('the Stripe settings go together', async () => {
    await assert.rejects(startTestPlatform({ env: { PADDOCK_STRIPE_SECRET_KEY: 'sk_test_x' } }), /PADDOCK_STRIPE_SECRET_KEY and PADDOCK_STRIPE_WEBHOOK_SECRET go together/);
  });
});

describe('billing with Stripe (the real SDK against a stand-in)', () => {
  let t: TestPlatform;
  let stripe: StripeStandIn;
  let owner: User;
  let workers: RunningWorkers | undefined;
  const plan = () => t.platform.db.selectFrom('organisations').select('plan').where('name', '=', owner.org).executeTakeFirstOrThrow().then((r) => r.plan);
  const processed = (id: string) => billingDb(t.platform.db).selectFrom('billing_events').select('processed_at').where('id', '=', id).executeTakeFirst().then((r) => r?.processed_at ?? null);
  const customerOf = async () => (await billingDb(t.platform.db).selectFrom('billing_accounts').innerJoin('organisations', 'organisations.id', 'billing_accounts.org_id')
    .select('customer_id').where('organisations.name', '=', owner.org).executeTakeFirstOrThrow()).customer_id;

  before(async () => {
    stripe = await new StripeStandIn().start();
    t = await startTestPlatform({ env: billingEnv });
    useStripe(t.platform, stripe.client());
    owner = await signup(t.app, 'billing');
  });
  after(async () => {
    await workers?.close();
    await t.close();
    await stripe.stop();
  });

  test('checkout before the catalogue is synced says what the operator must run', async () => {
    const r = await call(t.app, owner.token, 'POST', `/v1/orgs/${owner.org}/billing/checkout`, { plan: 'pro' });
    assert.equal(r.status, 503);
    assert.equal(r.body.error.code, 'PDK_BILLING_NOT_SYNCED');
    assert.match(r.body.error.message, /paddock-control-plane billing:sync/);
  });

  test('billing:sync creates meters, products and prices once, and a second run changes nothing', async () => {
    const out = sink();
    assert.equal(await billingSync(t.config, out, sink(), stripe.client()), 0);
    assert.equal(stripe.meters.size, 3);
    assert.deepEqual([...stripe.products.keys()].sort(), ['paddock_business', 'paddock_pro']);
    assert.equal(stripe.prices.size, 8);
    const metered = [...stripe.prices.values()].find((p) => p.lookup_key === 'paddock_pro_requests')!;
    assert.equal((metered.recurring as { usage_type: string }).usage_type, 'metered');
    assert.ok([...stripe.meters.keys()].includes((metered.recurring as { meter: string }).meter));
    assert.deepEqual(metered.transform_quantity, { divide_by: 1_000_000, round: 'up' });
    assert.match(out.text, /13 created, 0 updated, 0 unchanged/);

    const creates = stripe.requests.filter((r) => r.startsWith('POST')).length;
    const again = await syncCatalogue(stripe.client());
    assert.deepEqual({ created: again.created.length, updated: again.updated.length, unchanged: again.unchanged.length }, { created: 0, updated: 0, unchanged: 13 });
    assert.equal(stripe.requests.filter((r) => r.startsWith('POST')).length, creates, 'no write on the second run');
  });

  test('a changed price is replaced: the new one takes the lookup key, the old one is archived', async () => {
    const before = [...stripe.prices.values()].find((p) => p.lookup_key === 'paddock_pro_monthly')!;
    planPrices.pro!.monthlyCents += 500;
    try {
      const report = await syncCatalogue(stripe.client());
      assert.deepEqual(report.updated, ['price paddock_pro_monthly']);
    } finally {
      planPrices.pro!.monthlyCents -= 500;
    }
    const now = [...stripe.prices.values()].filter((p) => p.lookup_key === 'paddock_pro_monthly');
    assert.equal(now.length, 1);
    assert.equal(now[0]!.unit_amount, 2500);
    assert.equal(before.active, false);
    assert.equal(before.lookup_key, null);
    await syncCatalogue(stripe.client()); // back to the declared price for the tests below
  });

  test('only owners open a checkout, for a plan that is sold; it subscribes the organisation’s own customer', async () => {
    const summary = await call(t.app, owner.token, 'GET', `/v1/orgs/${owner.org}/billing`);
    assert.equal(summary.status, 200);
    assert.equal(summary.body.plan, 'free');
    assert.equal(summary.body.subscription, null);
    assert.deepEqual(summary.body.plans.map((p: { name: string }) => p.name), ['pro', 'business']);
    assert.deepEqual(summary.body.usage.sites, { used: 0, limit: 3 });

    const free = await call(t.app, owner.token, 'POST', `/v1/orgs/${owner.org}/billing/checkout`, { plan: 'free' });
    assert.equal(free.status, 400);
    assert.equal(free.body.error.code, 'PDK_PLAN_NOT_FOR_SALE');

    const portal = await call(t.app, owner.token, 'POST', `/v1/orgs/${owner.org}/billing/portal`);
    assert.equal(portal.status, 409);
    assert.equal(portal.body.error.code, 'PDK_NO_BILLING_CUSTOMER');

    const dev = await signup(t.app, 'dev');
    const orgId = (await t.platform.db.selectFrom('organisations').select('id').where('name', '=', owner.org).executeTakeFirstOrThrow()).id;
    await t.platform.db.insertInto('memberships').values({ org_id: orgId, account_id: dev.accountId, role: 'admin' }).execute();
    const denied = await call(t.app, dev.token, 'POST', `/v1/orgs/${owner.org}/billing/checkout`, { plan: 'pro' });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'PDK_FORBIDDEN_ROLE');

    const r = await call(t.app, owner.token, 'POST', `/v1/orgs/${owner.org}/billing/checkout`, { plan: 'pro' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.match(r.body.url, /^https:\/\/checkout\.stripe\.test\//);
    const again = await call(t.app, owner.token, 'POST', `/v1/orgs/${owner.org}/billing/checkout`, { plan: 'pro' });
    assert.equal(again.status, 200);
    assert.equal(stripe.customers.size, 1, 'one customer per organisation');
    const session = stripe.checkoutSessions.at(-1)!;
    assert.equal(session.mode, 'subscription');
    assert.equal(session.customer, await customerOf());
    const items = session.line_items as Array<{ price: string; quantity?: string }>;
    assert.deepEqual(items.map((i) => stripe.prices.get(i.price)!.lookup_key), lookupKeysOf('pro'));
    assert.deepEqual(items.map((i) => i.quantity), ['1', undefined, undefined, undefined], 'metered prices take no quantity');
    assert.match(String(session.success_url), new RegExp(`/billing\\?org=${owner.org}&checkout=done$`));

    const p = await call(t.app, owner.token, 'POST', `/v1/orgs/${owner.org}/billing/portal`);
    assert.equal(p.status, 200);
    assert.match(p.body.url, /^https:\/\/billing\.stripe\.test\//);
    assert.equal(stripe.portalSessions.at(-1)!.customer, await customerOf());
    assert.match(String(stripe.portalSessions.at(-1)!.return_url), new RegExp(`/billing\\?org=${owner.org}$`));
  });

  test('a webhook with a bad, missing or stale signature is refused with 400 and stored nowhere', async () => {
    const { payload } = stripe.event('customer.subscription.updated', { id: 'sub_x', customer: 'cus_x' });
    const forged = await deliver(t, payload, new Stripe('sk_x').webhooks.generateTestHeaderString({ payload, secret: 'whsec_wrong' }));
    assert.equal(forged.status, 400);
    assert.equal(forged.body.error.code, 'PDK_WEBHOOK_SIGNATURE');
    const tampered = await deliver(t, payload.replace('sub_x', 'sub_y'), signed(payload));
    assert.equal(tampered.body.error.code, 'PDK_WEBHOOK_SIGNATURE');
    const none = await deliver(t, payload);
    assert.equal(none.status, 400);
    assert.match(none.body.error.message, /Stripe-Signature header is missing/);
    const stale = await deliver(t, payload, signed(payload, Math.floor(Date.now() / 1000) - 301));
    assert.equal(stale.status, 400);
    assert.match(stale.body.error.message, /tolerance/i);
    assert.equal((await billingDb(t.platform.db).selectFrom('billing_events').selectAll().execute()).length, 0);
  });

  test('an event stored while no worker runs is applied once a worker starts, even if its job was lost', async () => {
    const sub = stripe.subscribe(await customerOf(), lookupKeysOf('pro'));
    const { id, payload } = stripe.event('customer.subscription.created', sub);
    const r = await deliver(t, payload, signed(payload));
    assert.deepEqual([r.status, r.body], [200, { received: true, duplicate: false }]);
    await t.platform.queues.billing.obliterate({ force: true }); // the queue forgot it: the row remains
    assert.equal(await processed(id), null);
    assert.equal(await plan(), 'free');
    workers = startWorkers(t.platform, {}, [startBillingWorker]);
    await until('the stored event was applied', () => processed(id), (v) => v !== null);
    assert.equal(await plan(), 'pro');
    const summary = await call(t.app, owner.token, 'GET', `/v1/orgs/${owner.org}/billing`);
    assert.equal(summary.body.subscription.status, 'active');
    assert.equal(summary.body.subscription.plan, 'pro');
    assert.equal(summary.body.quotas.sites, 25);
  });

  test('the same event delivered twice takes effect once', async () => {
    const sub = [...stripe.subscriptions.values()].at(-1)!;
    stripe.setStatus(sub.id, 'canceled');
    const next = stripe.subscribe(String(sub.customer), lookupKeysOf('business'));
    const { id, payload } = stripe.event('customer.subscription.created', next);
    assert.equal((await deliver(t, payload, signed(payload))).body.duplicate, false);
    await until('the event was applied', () => processed(id), (v) => v !== null);
    const replay = await deliver(t, payload, signed(payload));
    assert.deepEqual([replay.status, replay.body], [200, { received: true, duplicate: true }]);
    assert.equal(await plan(), 'business');
    const audits = await t.platform.db.selectFrom('audit_events').select('details').where('action', '=', 'organisation.plan')
      .where('actor_label', '=', 'stripe').execute();
    assert.equal(audits.filter((a) => (a.details as { event?: string }).event === id).length, 1);
  });

  test('events out of order end in the state Stripe holds: invoice.paid before the subscription update, a stale update last', async () => {
    const customer = await customerOf();
    const current = [...stripe.subscriptions.values()].find((s) => s.status === 'active')!;
    stripe.setStatus(current.id, 'canceled');
    const pro = stripe.subscribe(customer, lookupKeysOf('pro'));
    const staleUpdate = stripe.event('customer.subscription.updated', { ...current, status: 'active' }); // says business, active
    const paid = stripe.event('invoice.paid', { id: 'in_1', object: 'invoice', customer, status: 'paid' });
    const updated = stripe.event('customer.subscription.updated', pro);
    for (const e of [paid, updated, staleUpdate]) assert.equal((await deliver(t, e.payload, signed(e.payload))).status, 200);
    for (const e of [paid, updated, staleUpdate]) await until(`${e.id} applied`, () => processed(e.id), (v) => v !== null);
    assert.equal(await plan(), 'pro');
  });

  test('a deleted subscription puts the organisation back on the free plan', async () => {
    const sub = [...stripe.subscriptions.values()].find((s) => s.status === 'active')!;
    stripe.setStatus(sub.id, 'canceled');
    const e = stripe.event('customer.subscription.deleted', sub);
    await deliver(t, e.payload, signed(e.payload));
    await until('the organisation is back on free', plan, (p) => p === 'free');
    const summary = await call(t.app, owner.token, 'GET', `/v1/orgs/${owner.org}/billing`);
    assert.equal(summary.body.plan, 'free');
    assert.equal(summary.body.subscription.status, 'canceled');
    assert.equal(summary.body.quotas.sites, 3);
  });

  test('an event is retried while Stripe fails, and applied once it answers', async () => {
    const sub = stripe.subscribe(await customerOf(), lookupKeysOf('pro'));
    stripe.failNext(2);
    const e = stripe.event('customer.subscription.created', sub);
    await deliver(t, e.payload, signed(e.payload));
    await until('applied after Stripe came back', () => processed(e.id), (v) => v !== null);
    assert.equal(await plan(), 'pro');
  });

  test('events for customers that are not ours, and events of other types, are stored and change nothing', async () => {
    const foreign = stripe.event('customer.subscription.updated', { id: 'sub_foreign', object: 'subscription', customer: 'cus_unknown' });
    const other = stripe.event('charge.refunded', { id: 'ch_1', object: 'charge' });
    stripe.customers.set('cus_unknown', { id: 'cus_unknown', object: 'customer', metadata: {} });
    for (const e of [foreign, other]) await deliver(t, e.payload, signed(e.payload));
    for (const e of [foreign, other]) await until(`${e.id} applied`, () => processed(e.id), (v) => v !== null);
    assert.equal(await plan(), 'pro');
  });

  test('usage goes to the meters once per organisation, meter and hour; what Stripe refused is sent by the next run, never twice', async () => {
    const site = await call(t.app, owner.token, 'POST', '/v1/sites', { name: `meter-${Date.now().toString(36)}` });
    assert.equal(site.status, 202, JSON.stringify(site.body));
    const [before, hour] = completeHours();
    const store = siteMetricsStore(t.platform.redis, t.platform.queues.prefix);
    const firstMinute = hour!.getTime() / 60_000;
    await store.add([0, 1, 59].map((i) => ({ siteId: site.body.id, minute: firstMinute + i, requests: 1000, errors: 0, buckets: [] })));
    for (let i = 0; i < 30; i++) await store.setMemory([{ siteId: site.body.id, bytes: 256 * 1024 * 1024 }], hour!.getTime() + i * 60_000);
    await store.add([{ siteId: site.body.id, minute: firstMinute + 60, requests: 5, errors: 0, buckets: [] }]); // the next hour: not this one's

    const billing = billingOf(t.platform)!;
    stripe.failNext(1);
    const first = await meterRecentHours(t.platform, billing);
    assert.deepEqual(first, { sent: 1, failed: 1 });
    const second = await meterRecentHours(t.platform, billing);
    assert.deepEqual(second, { sent: 1, failed: 0 });
    assert.deepEqual(await meterRecentHours(t.platform, billing), { sent: 0, failed: 0 });

    const customer = await customerOf();
    const events = stripe.meterEvents.map((e) => ({ name: e.event_name, value: (e.payload as Record<string, string>).value, customer: (e.payload as Record<string, string>).stripe_customer_id, identifier: e.identifier }));
    const orgId = (await t.platform.db.selectFrom('organisations').select('id').where('name', '=', owner.org).executeTakeFirstOrThrow()).id;
    assert.deepEqual(events.sort((a, b) => String(a.name).localeCompare(String(b.name))), [
      { name: 'paddock_awake_mb_hours', value: '128', customer, identifier: `${orgId}:paddock_awake_mb_hours:${hour!.toISOString()}` },
      { name: 'paddock_requests', value: '3000', customer, identifier: `${orgId}:paddock_requests:${hour!.toISOString()}` },
    ]);
    assert.ok(stripe.meterEvents.every((e) => Number(e.timestamp) >= hour!.getTime() / 1000 && Number(e.timestamp) < hour!.getTime() / 1000 + 3600), 'each event is dated inside its hour');
    assert.ok(before! < hour!, 'the hour before had no usage and sent nothing');
  });

  test('the billing summary shows the upcoming invoice and past ones, with links to Stripe', async () => {
    const customer = await customerOf();
    stripe.invoices.push({ id: 'in_paid1', object: 'invoice', customer, number: 'PDK-0001', status: 'paid', total: 2000, amount_due: 2000, currency: 'usd', created: 1_790_000_000, hosted_invoice_url: 'https://invoice.stripe.test/i/in_paid1', invoice_pdf: 'https://pay.stripe.test/invoice/in_paid1/pdf' });
    const r = await call(t.app, owner.token, 'GET', `/v1/orgs/${owner.org}/billing`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.invoices.upcoming.amountDueCents, 2000);
    assert.deepEqual(r.body.invoices.past, [{ id: 'in_paid1', number: 'PDK-0001', status: 'paid', totalCents: 2000, currency: 'usd', created: new Date(1_790_000_000_000).toISOString(), hostedUrl: 'https://invoice.stripe.test/i/in_paid1', pdfUrl: 'https://pay.stripe.test/invoice/in_paid1/pdf' }]);
    stripe.failNext(2);
    const down = await call(t.app, owner.token, 'GET', `/v1/orgs/${owner.org}/billing`);
    assert.equal(down.status, 200, 'plan and usage are known without Stripe');
    assert.equal(down.body.invoices, null);
    assert.equal(down.body.plan, 'pro');
  });

  test('a worker killed in the middle of an event: the event is applied once, by the next worker', async () => {
    await workers?.close();
    workers = undefined;
    const customer = await customerOf();
    for (const s of stripe.subscriptions.values()) if (s.status === 'active') stripe.setStatus(s.id, 'canceled');
    const sub = stripe.subscribe(customer, lookupKeysOf('business'));
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=paddock-source', fileURLToPath(new URL('../fixtures/billing-crash-worker.ts', import.meta.url))], {
      env: { ...process.env, PADDOCK_DATABASE_URL: t.config.databaseUrl, PADDOCK_ENV: 'test', ...billingEnv, STANDIN_PORT: String(stripe.port), TEST_QUEUE_PREFIX: t.platform.queues.prefix },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<string | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // The child holds the organisation's row and the event's in its transaction when Stripe "hangs".
    const reading = stripe.hold('GET /v1/subscriptions');
    const e = stripe.event('customer.subscription.created', sub);
    assert.equal((await deliver(t, e.payload, signed(e.payload))).status, 200);
    await reading;
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.equal(await processed(e.id), null, 'nothing was committed by the dead worker');
    assert.equal(await plan(), 'pro');
    workers = startWorkers(t.platform, { lockDuration: 1000, stalledInterval: 500 }, [startBillingWorker]);
    await until('the next worker applied the event', () => processed(e.id), (v) => v !== null, 60_000);
    assert.equal(await plan(), 'business');
    const audits = await t.platform.db.selectFrom('audit_events').select('details').where('action', '=', 'organisation.plan').execute();
    assert.equal(audits.filter((a) => (a.details as { event?: string }).event === e.id).length, 1);
  });
});
