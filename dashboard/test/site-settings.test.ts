// A site's settings pages in a real browser against a real control plane: environment variables
// (values stay off the page until revealed), custom domains with the DNS record to create, the
// deploys page before anything is pushed, and the live log view.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDashboard, type RunningDashboard } from './support/dashboard-server.js';
import { desktop, launchBrowser, phone, screenshot } from './support/browser.js';
import { startApi, suffix, uniqueEmail, type RunningApi } from './support/control-plane.js';
import { eventually, fillByLabel } from './support/pages.js';
import { addMemberViaApi, apiCall, createReadySite, signupViaApi } from './support/api-client.js';

interface SiteData {
  database: { host: string; port: number; name: string; user: string; url: string };
  cache: { url: string } | null;
}

describe('site settings pages', () => {
  let browser: Browser;
  let api: RunningApi;
  let dash: RunningDashboard;
  let ctx: BrowserContext;
  let page: Page;
  let token = '';
  let org = '';
  const email = uniqueEmail('settings');
  const password = `pw-${suffix()}-${suffix()}`;
  const site = `set-${suffix()}`;
  const secretValue = `s3cret-${suffix()}`;

  before(async () => {
    [browser, api] = await Promise.all([launchBrowser(), startApi()]);
    dash = await startDashboard({ PADDOCK_API_URL: api.url });
    ({ token, org } = await signupViaApi(api.url, email, password));
    await createReadySite(api.url, token, site);
    ctx = await browser.newContext({ viewport: desktop, baseURL: dash.url });
    page = await ctx.newPage();
    await page.goto('/login');
    await fillByLabel(page, { Email: email, Password: password });
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/sites');
  });
  after(async () => {
    if (api && token) {
      await apiCall(api.url, `/v1/sites/${site}`, { method: 'DELETE', token }).catch(() => undefined);
      await eventually('the test site being torn down', async () => {
        const row = await api.platform.db.selectFrom('sites').select('status').where('name', '=', site).executeTakeFirst();
        return !row || row.status === 'deleted';
      }).catch(() => undefined);
    }
    await ctx?.close();
    await Promise.all([browser?.close(), dash?.stop()]);
    await api?.stop();
  });

  test('a reserved name is refused with the API’s reason and the typed value stays', async () => {
    await page.goto(`/sites/${site}/env`);
    await page.getByText('No variables yet.').waitFor();
    await fillByLabel(page, { Name: 'DATABASE_URL', Value: 'postgres://mine' });
    await page.getByRole('button', { name: 'Set variable' }).click();
    await page.locator('.notice-error').waitFor();
    assert.match(await page.locator('.notice-error').innerText(), /set by the platform/);
    assert.equal(await page.getByLabel('Value', { exact: true }).inputValue(), 'postgres://mine');
  });

  test('a variable is listed masked; its value is not in the page until revealed', async () => {
    await fillByLabel(page, { Name: 'API_KEY', Value: secretValue });
    await page.getByRole('button', { name: 'Set variable' }).click();
    await page.getByText('API_KEY is set.').waitFor();
    await page.reload();
    const row = page.getByRole('row', { name: /API_KEY/ });
    await row.waitFor();
    assert.equal((await page.content()).includes(secretValue), false, 'the value is in the page before Reveal');
    await screenshot(page, 'site-env');
    await row.getByRole('button', { name: 'Reveal API_KEY' }).click();
    assert.equal(await page.getByTestId('value-API_KEY').innerText(), secretValue);
    const stored = await apiCall<{ vars: Record<string, string> }>(api.url, `/v1/sites/${site}/env`, { token });
    assert.equal(stored.vars.API_KEY, secretValue);
  });

  test('setting a variable to the value it has says nothing changed', async () => {
    await fillByLabel(page, { Name: 'API_KEY', Value: secretValue });
    await page.getByRole('button', { name: 'Set variable' }).click();
    await page.getByText('API_KEY already has this value; nothing changed.').waitFor();
  });

  test('editing a variable changes it in the API', async () => {
    const row = page.getByRole('row', { name: /API_KEY/ });
    await row.getByRole('button', { name: 'Edit API_KEY' }).click();
    await page.getByLabel('New value of API_KEY').fill('changed');
    await row.getByRole('button', { name: 'Save API_KEY' }).click();
    await eventually('the new value', async () => (await apiCall<{ vars: Record<string, string> }>(api.url, `/v1/sites/${site}/env`, { token })).vars.API_KEY === 'changed');
  });

  // The API's validator coerces `null` to "" (Fastify's ajv runs with coerceTypes), so
  // PATCH /v1/sites/:site/env { vars: { NAME: null } } sets NAME to "" instead of removing it.
  test('removing a variable removes it from the API', async () => {
    await page.getByRole('row', { name: /API_KEY/ }).getByRole('button', { name: 'Remove API_KEY' }).click();
    await eventually('the variable being gone', async () => !('API_KEY' in (await apiCall<{ vars: Record<string, string> }>(api.url, `/v1/sites/${site}/env`, { token })).vars), 5000);
    await page.getByText('No variables yet.').waitFor({ timeout: 5000 });
  });

  test('a custom domain shows the TXT record to create; checking it before DNS has it says so', async () => {
    const host = `www.example-${suffix()}.test`;
    await page.goto(`/sites/${site}/domains`);
    await fillByLabel(page, { 'Host name': host });
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByText(`${host} is added`).waitFor();
    const row = page.getByRole('row', { name: new RegExp(host.replace(/\./g, '\\.')) });
    assert.match(await row.innerText(), new RegExp(`TXT\\s+_paddock-challenge\\.${host.replace(/\./g, '\\.')}\\s+pdk-[0-9a-f]+`));
    await screenshot(page, 'site-domains');
    await row.getByRole('button', { name: `Check DNS of ${host}` }).click();
    await row.locator('.notice-error').waitFor();
    assert.match(await row.locator('.notice-error').innerText(), /no TXT record/);
    await row.getByRole('button', { name: `Remove ${host}` }).click();
    await page.getByText('No custom domains.').waitFor();
  });

  test('the database tab shows where the database and cache are with masked URLs; Reveal shows the real URL, audited, and only in the page', async () => {
    const real = await apiCall<SiteData>(api.url, `/v1/sites/${site}/database?reveal=true`, { token });
    const password = decodeURIComponent(new URL(real.database.url).password);
    assert.ok(password.length >= 8, `no password in the revealed URL ${real.database.url.replace(password, '…')}`);
    await page.goto(`/sites/${site}/database`);
    await page.getByRole('heading', { name: 'Postgres database' }).waitFor();
    const facts = await page.locator('section', { has: page.getByRole('heading', { name: 'Postgres database' }) }).locator('.facts').innerText();
    for (const v of [real.database.host, String(real.database.port), real.database.name, real.database.user]) assert.ok(facts.includes(v), `${v} missing from ${facts}`);
    assert.match(await page.getByTestId('database-size').innerText(), /\d+(\.\d)? (B|KB|MB|GB) (used|of)/);
    assert.match(await page.getByTestId('database-masked-url').innerText(), /:\*\*\*\*@/);
    assert.equal((await page.content()).includes(password), false, 'the password is in the page before Reveal');
    await screenshot(page, 'site-database');
    const audited = () => api.platform.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n')).where('action', '=', 'site.credentials.revealed').executeTakeFirstOrThrow();
    const before = Number((await audited()).n);
    await page.getByRole('button', { name: 'Reveal connection URL of the database' }).click();
    assert.equal(await page.getByTestId('database-url').inputValue(), real.database.url);
    assert.equal(Number((await audited()).n), before + 1, 'the reveal was not audited');
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: dash.url });
    await page.getByRole('button', { name: 'Copy the connection URL of the database' }).click();
    await page.getByText('Copied.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), real.database.url);
    if (real.cache) {
      await page.getByRole('button', { name: 'Reveal connection URL of the cache' }).click();
      assert.equal(await page.getByTestId('cache-url').inputValue(), real.cache.url);
    }
    await screenshot(page, 'site-database-revealed');
    await page.setViewportSize(phone);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the database tab is ${overflow}px wider than a phone`);
    await screenshot(page, 'site-database-phone');
    await page.setViewportSize(desktop);
    assert.ok(!page.url().includes(password) && !(await ctx.cookies()).some((c) => c.value.includes(password)), 'the password went into a URL or a cookie');
    // A reload forgets it: nothing kept it client-side.
    await page.reload();
    await page.getByTestId('database-masked-url').waitFor();
    assert.equal((await page.content()).includes(password), false);
  });

  test('a viewer sees the database tab but Reveal answers with the API’s refusal and no password', async () => {
    const viewerEmail = uniqueEmail('viewer');
    await addMemberViaApi(api, token, org, viewerEmail, password, 'viewer');
    const real = await apiCall<SiteData>(api.url, `/v1/sites/${site}/database?reveal=true`, { token });
    const secret = decodeURIComponent(new URL(real.database.url).password);
    const viewer = await browser.newContext({ viewport: desktop, baseURL: dash.url });
    try {
      const p = await viewer.newPage();
      await p.goto('/login');
      await fillByLabel(p, { Email: viewerEmail, Password: password });
      await p.getByRole('button', { name: 'Log in' }).click();
      await p.waitForURL('**/sites');
      await p.goto(`/sites/${site}/database`);
      await p.getByRole('button', { name: 'Reveal connection URL of the database' }).click();
      const refusal = await p.getByRole('alert').filter({ hasText: /role|allowed|permission/i }).innerText();
      assert.match(refusal, /developer|deploy/i);
      assert.equal(await p.getByTestId('database-url').count(), 0);
      assert.equal((await p.content()).includes(secret), false);
      await screenshot(p, 'site-database-viewer');
    } finally {
      await viewer.close();
    }
  });

  test('the deploys page of a site never pushed says how to push, its metrics tab says there is no traffic yet, and the logs page goes live', async () => {
    await page.goto(`/sites/${site}/metrics`);
    await page.getByRole('heading', { name: 'No traffic yet' }).waitFor();
    await screenshot(page, 'site-metrics-empty');
    await page.goto(`/sites/${site}/deploys`);
    await page.getByText('Nothing released yet.').waitFor();
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.waitForURL(`**/sites/${site}/logs`);
    await eventually('the log stream opening', async () => (await page.getByRole('status').first().innerText()) === 'Live', 10_000);
    // The Pause button sits above the log panel, clear of its edge.
    const button = await page.getByRole('button', { name: 'Pause' }).boundingBox();
    const panel = await page.getByTestId('site-log').boundingBox();
    assert.ok(button && panel, 'no Pause button or log panel');
    assert.ok(button.y + button.height + 4 <= panel.y, `the Pause button (bottom ${button.y + button.height}) touches the log panel (top ${panel.y})`);
    assert.ok(button.x + button.width <= panel.x + panel.width, 'the Pause button sticks out of the panel\'s width');
    assert.match(await page.getByRole('navigation', { name: 'Breadcrumb' }).innerText(), new RegExp(`^Sites\\s*${site}$`));
    await screenshot(page, 'site-logs');
  });
});
