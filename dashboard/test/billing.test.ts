// The Billing page in a real browser against a real control plane: absent where billing is off
// (no link, the page is not found); where it is on (the real Stripe SDK against a stand-in), an
// owner sees the plan and the plans for sale, and Subscribe takes them to Stripe's Checkout page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { lookupKeysOf, syncCatalogue } from '@paddock/control-plane/billing/catalogue';
import { billingOf, useStripe } from '@paddock/control-plane/billing/stripe';
import { refreshCustomer } from '@paddock/control-plane/billing/subscriptions';
import { StripeStandIn } from '../../control-plane/test/billing/stripe-stand-in.js';
import { startDashboard, type RunningDashboard } from './support/dashboard-server.js';
import { desktop, launchBrowser, screenshot } from './support/browser.js';
import { startApi, suffix, uniqueEmail, type RunningApi } from './support/control-plane.js';
import { fillByLabel } from './support/pages.js';
import { signupViaApi } from './support/api-client.js';

describe('billing page', () => {
  let browser: Browser;
  let api: RunningApi;
  let dash: RunningDashboard;
  let stripe: StripeStandIn;
  let ctx: BrowserContext;
  let page: Page;
  const email = uniqueEmail('billing');
  const password = `pw-${suffix()}-${suffix()}`;
  let org = '';

  before(async () => {
    [browser, api, stripe] = await Promise.all([launchBrowser(), startApi(), new StripeStandIn().start()]);
    dash = await startDashboard({ PADDOCK_API_URL: api.url });
    org = (await signupViaApi(api.url, email, password)).org;
    ctx = await browser.newContext({ viewport: desktop, baseURL: dash.url });
    page = await ctx.newPage();
    await page.goto('/login');
    await fillByLabel(page, { Email: email, Password: password });
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/sites');
  });
  after(async () => {
    await ctx?.close();
    await Promise.all([browser?.close(), dash?.stop()]);
    await api?.stop();
    await stripe?.stop();
  });

  test('with billing off there is no Billing link and no Billing page', async () => {
    await page.goto('/org');
    await page.getByRole('heading', { name: 'Plan' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Billing' }).count(), 0);
    assert.equal((await page.goto(`/billing?org=${org}`))?.status(), 404);
  });

  test('with billing on, an owner sees the plan and subscribes through Stripe Checkout', async () => {
    // The same platform, now configured for Stripe: the API reads the setting per request.
    Object.assign(api.platform.config, { stripeSecretKey: 'sk_test_dashboard', stripeWebhookSecret: 'whsec_dashboard' });
    useStripe(api.platform, stripe.client());
    await syncCatalogue(stripe.client());
    await page.goto('/org');
    await page.getByRole('link', { name: 'Billing' }).click();
    await page.waitForURL('**/billing?org=*');
    assert.equal(await page.getByTestId('billing-plan').innerText(), 'Free');
    const pro = page.getByRole('row', { name: /Pro/ });
    assert.match(await pro.innerText(), /\$20/);
    await screenshot(page, 'billing');
    // Stripe's page cannot be reached from here: answer for it, and check the browser got there.
    await page.route('https://checkout.stripe.test/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Stripe Checkout</title><h1>Pay</h1>' }));
    await pro.getByRole('button', { name: 'Subscribe to Pro' }).click();
    await page.waitForURL('https://checkout.stripe.test/c/pay/cs_*');
    const session = stripe.checkoutSessions.at(-1)!;
    assert.equal(session.mode, 'subscription');
    assert.match(String(session.success_url), new RegExp(`/billing\\?org=${org}&checkout=done$`));
  });

  test('once subscribed, the page shows the new plan, the upcoming and past invoices, and the portal button', async () => {
    const customer = String(stripe.checkoutSessions.at(-1)!.customer);
    stripe.subscribe(customer, lookupKeysOf('pro'));
    stripe.invoices.push({ id: 'in_dash1', object: 'invoice', customer, number: 'PDK-0042', status: 'paid', total: 2000, amount_due: 2000, currency: 'usd', created: 1_790_000_000, hosted_invoice_url: null, invoice_pdf: 'https://pay.stripe.test/invoice/in_dash1/pdf' });
    // What the billing job does on Stripe's event (tested with the webhook in the control plane).
    await refreshCustomer(api.platform, billingOf(api.platform)!, customer);
    await page.goto(`/billing?org=${org}`);
    assert.equal(await page.getByTestId('billing-plan').innerText(), 'Pro');
    await page.getByText('Upcoming: $20 on').waitFor();
    const row = page.getByRole('row', { name: /PDK-0042/ });
    assert.match(await row.innerText(), /\$20\s+paid/);
    assert.equal(await row.getByRole('link', { name: 'PDF' }).getAttribute('href'), 'https://pay.stripe.test/invoice/in_dash1/pdf');
    assert.equal(await page.getByRole('button', { name: /Subscribe to/ }).count(), 0, 'no second subscription');
    await page.route('https://billing.stripe.test/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Stripe portal</title>' }));
    await page.getByRole('button', { name: 'Manage billing on Stripe' }).click();
    await page.waitForURL('https://billing.stripe.test/p/session/bps_*');
  });
});
