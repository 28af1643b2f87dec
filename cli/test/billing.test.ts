import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useStripe } from '@paddock/control-plane/billing/stripe';
import { lookupKeysOf, syncCatalogue } from '@paddock/control-plane/billing/catalogue';
import { billingOf } from '@paddock/control-plane/billing/stripe';
import { refreshCustomer } from '@paddock/control-plane/billing/subscriptions';
import { StripeStandIn } from '../../control-plane/test/billing/stripe-stand-in.js';
import { ExitCode } from '../src/exit-codes.js';
import { cliHome, type CliHome } from './support/cli.js';
import { startPlatform, suffix, type RunningPlatform } from './support/platform.js';

async function signedUp(p: RunningPlatform): Promise<CliHome> {
  const home = cliHome({ PADDOCK_API: '' });
  home.env.PADDOCK_API = p.api;
  const r = await home.run(['signup', '--email', `bill-${suffix()}@example.com`, '--password-stdin'], { input: `correct horse ${suffix()}\n` });
  assert.equal(r.code, 0, r.stderr);
  return home;
}

describe('billing commands on a platform without billing', () => {
  let p: RunningPlatform;
  let home: CliHome;
  before(async () => {
    p = await startPlatform();
    home = await signedUp(p);
  });
  after(async () => {
    home.cleanup();
    await p.close();
  });

  test('say billing is off and who sets plans, with the code', async () => {
    for (const args of [['billing'], ['billing:upgrade', 'pro'], ['billing:portal']]) {
      const r = await home.run(args);
      assert.equal(r.code, ExitCode.notFound, args.join(' '));
      assert.match(r.stderr, /Billing is off on this platform: its operator sets plans/);
      assert.match(r.stderr, /PDK_BILLING_OFF/);
    }
  });
});

describe('billing commands on a platform that charges (the real Stripe SDK against a stand-in)', () => {
  let p: RunningPlatform;
  let home: CliHome;
  let stripe: StripeStandIn;
  before(async () => {
    stripe = await new StripeStandIn().start();
    p = await startPlatform({ PADDOCK_STRIPE_SECRET_KEY: 'sk_test_cli', PADDOCK_STRIPE_WEBHOOK_SECRET: 'whsec_cli' });
    useStripe(p.platform, stripe.client());
    await syncCatalogue(stripe.client());
    home = await signedUp(p);
  });
  after(async () => {
    home.cleanup();
    await p.close();
    await stripe.stop();
  });

  test('billing shows the plan, usage and the plans for sale; --json gives the same data', async () => {
    const r = await home.run(['billing']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Plan:\s+Free/);
    assert.match(r.stdout, /Subscription:\s+none/);
    assert.match(r.stdout, /Sites:\s+0 of 3/);
    assert.match(r.stdout, /pro\s+\$20\s+25\s+\$0\.01\/GB-hour awake, \$0\.50\/million requests/);
    assert.match(r.stderr, /Subscribe with `paddock billing:upgrade <plan>`/);
    const j = JSON.parse((await home.run(['billing', '--json'])).stdout) as { plan: string; plans: Array<{ name: string }> };
    assert.equal(j.plan, 'free');
    assert.deepEqual(j.plans.map((x) => x.name), ['pro', 'business']);
  });

  test('billing:upgrade prints the Checkout link; billing:portal then prints the portal link', async () => {
    const r = await home.run(['billing:upgrade', 'pro']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Pay for pro on Stripe: https:\/\/checkout\.stripe\.test\/c\/pay\/cs_/m);
    const bad = await home.run(['billing:upgrade', 'platinum']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Plan "platinum" cannot be bought; choose one of "pro", "business"/);
    const portal = await home.run(['billing:portal', '--json']);
    assert.equal(portal.code, 0, portal.stderr);
    assert.match((JSON.parse(portal.stdout) as { url: string }).url, /^https:\/\/billing\.stripe\.test\//);
  });

  test('once subscribed, billing shows the plan, the upcoming invoice and past invoices with their PDFs', async () => {
    const customer = String(stripe.checkoutSessions.at(-1)!.customer);
    stripe.subscribe(customer, lookupKeysOf('pro'));
    stripe.invoices.push({ id: 'in_cli1', object: 'invoice', customer, number: 'PDK-0007', status: 'paid', total: 2000, amount_due: 2000, currency: 'usd', created: 1_790_000_000, hosted_invoice_url: null, invoice_pdf: 'https://pay.stripe.test/invoice/in_cli1/pdf' });
    await refreshCustomer(p.platform, billingOf(p.platform)!, customer); // what the billing job does on Stripe's event
    const r = await home.run(['billing']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Plan:\s+Pro/);
    assert.match(r.stdout, /Subscription:\s+active, period ends \d{4}-\d{2}-\d{2}/);
    assert.match(r.stdout, /Upcoming invoice: \$20 on \d{4}-\d{2}-\d{2}/);
    assert.match(r.stdout, /PDK-0007\s+2026-\d{2}-\d{2}\s+\$20\s+paid\s+https:\/\/pay\.stripe\.test\/invoice\/in_cli1\/pdf/);
    const again = await home.run(['billing:upgrade', 'business']);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /subscribed to "pro" already; change or cancel the subscription in the customer portal \(`paddock billing:portal`\)/);
  });
});
