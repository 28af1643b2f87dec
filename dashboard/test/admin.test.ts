// The operator area in a real browser against a real control plane: only operators get in; they
// find a site, suspend it (its owner sees it suspended and cannot resume it), resume it, change an
// organisation's plan, and read the audit log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDashboard, type RunningDashboard } from './support/dashboard-server.js';
import { desktop, launchBrowser, phone, screenshot } from './support/browser.js';
import { startApi, suffix, uniqueEmail, type RunningApi } from './support/control-plane.js';
import { eventually, fillByLabel } from './support/pages.js';
import { apiCall, createReadySite, signupViaApi } from './support/api-client.js';

async function logIn(ctx: BrowserContext, email: string, password: string): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto('/login');
  await fillByLabel(page, { Email: email, Password: password });
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL('**/sites');
  return page;
}

describe('operator admin area', () => {
  let browser: Browser;
  let api: RunningApi;
  let dash: RunningDashboard;
  let opCtx: BrowserContext;
  let ownerCtx: BrowserContext;
  let op: Page;
  let owner: Page;
  const ownerEmail = uniqueEmail('tenant');
  const ownerPassword = `pw-${suffix()}-${suffix()}`;
  const site = `adm-${suffix()}`;
  let ownerOrg = '';
  let ownerToken = '';

  before(async () => {
    [browser, api] = await Promise.all([launchBrowser(), startApi()]);
    dash = await startDashboard({ PADDOCK_API_URL: api.url });
    const { token, org } = await signupViaApi(api.url, ownerEmail, ownerPassword);
    ownerOrg = org;
    ownerToken = token;
    await createReadySite(api.url, token, site);
    opCtx = await browser.newContext({ viewport: desktop, baseURL: dash.url });
    ownerCtx = await browser.newContext({ viewport: desktop, baseURL: dash.url });
    [op, owner] = await Promise.all([logIn(opCtx, api.operator.email, api.operator.password), logIn(ownerCtx, ownerEmail, ownerPassword)]);
  });
  after(async () => {
    // Tear the site down (its tenant database, role and Redis user) before the platform goes.
    if (api && ownerToken) {
      await apiCall(api.url, `/v1/sites/${site}`, { method: 'DELETE', token: ownerToken }).catch(() => undefined);
      await eventually('the test site being torn down', async () => {
        const row = await api.platform.db.selectFrom('sites').select('status').where('name', '=', site).executeTakeFirst();
        return !row || row.status === 'deleted';
      }).catch(() => undefined);
    }
    await Promise.all([opCtx?.close(), ownerCtx?.close()]);
    await Promise.all([browser?.close(), dash?.stop()]);
    await api?.stop();
  });

  test('a site owner has no Admin link and /admin is not found for them', async () => {
    assert.equal(await owner.getByRole('link', { name: 'Admin' }).count(), 0);
    const res = await owner.goto('/admin/sites');
    assert.equal(res?.status(), 404);
    assert.equal(await owner.getByRole('table').count(), 0);
  });

  test('an operator finds a site by searching its name', async () => {
    await op.getByRole('link', { name: 'Admin' }).click();
    await op.waitForURL('**/admin/sites');
    await op.getByLabel('Search sites by name').fill(site.slice(0, 8));
    await op.getByRole('button', { name: 'Search' }).click();
    await op.waitForURL(`**/admin/sites?q=${site.slice(0, 8)}`);
    const rows = op.getByRole('row', { name: new RegExp(site) });
    assert.equal(await rows.count(), 1);
    assert.match(await rows.innerText(), new RegExp(ownerOrg));
    await screenshot(op, 'admin-sites');
  });

  test('suspending a site shows it suspended to its owner, who cannot resume an operator suspension', async () => {
    await op.getByRole('button', { name: `Suspend ${site}` }).click();
    await op.getByText(`${site} suspended.`).waitFor();
    await op.reload();
    assert.match(await op.getByRole('row', { name: new RegExp(site) }).innerText(), /suspended/);
    await owner.goto(`/sites/${site}`);
    assert.equal(await owner.locator('.page-head .badge').innerText(), 'suspended');
    await owner.getByRole('button', { name: 'Resume site' }).click();
    await owner.locator('.notice-error').waitFor();
    const ownerView = await apiCall<{ status: string }>(api.url, `/v1/admin/sites/${(await siteId())}`, { token: await operatorToken() });
    assert.equal(ownerView.status, 'suspended');
    await screenshot(owner, 'site-suspended-owner');
  });

  test('the site page shows usage and placement, and the operator resumes the site there', async () => {
    await op.getByRole('link', { name: site }).click();
    await op.getByRole('heading', { name: 'Usage' }).waitFor();
    // The trail back (Admin / Sites) heads the page, above its title, with no tab bar over it and no separator left hanging.
    const crumbs = op.getByRole('navigation', { name: 'Breadcrumb' });
    assert.match(await crumbs.innerText(), /^Admin\s*Sites$/);
    assert.equal(await op.getByRole('navigation', { name: 'Admin' }).count(), 0);
    const [trail, title] = await Promise.all([crumbs.boundingBox(), op.getByRole('heading', { level: 1 }).boundingBox()]);
    assert.ok(trail && title && trail.y + trail.height <= title.y, 'the breadcrumbs are not above the title');
    await op.getByText('postgres server').waitFor();
    await screenshot(op, 'admin-site');
    await op.getByRole('button', { name: `Resume ${site}` }).click();
    await op.getByText(`${site} resumed.`).waitFor();
    await owner.reload();
    assert.equal(await owner.locator('.page-head .badge').innerText(), 'ready');
  });

  test("a site that does not exist answers 404 with the not-found page on the operator's site page, by id or by name; a real one opens by its name too", async () => {
    for (const path of ['/admin/sites/does-not-exist', '/admin/sites/00000000-0000-4000-8000-000000000000']) {
      const res = await op.goto(path);
      assert.equal(res?.status(), 404, path);
      await op.getByRole('heading', { name: 'Not found' }).waitFor();
    }
    await screenshot(op, 'admin-site-not-found');
    const byName = await op.goto(`/admin/sites/${site}`);
    assert.equal(byName?.status(), 200);
    await op.getByRole('heading', { level: 1, name: site }).waitFor();
  });

  test("changing an organisation's plan raises its quotas for its owner", async () => {
    await op.goto(`/admin/orgs?q=${ownerOrg}`);
    const row = op.getByRole('row', { name: new RegExp(ownerOrg) });
    await row.getByText('Change plan').click();
    await row.getByLabel('Plan', { exact: true }).selectOption('pro');
    await row.getByRole('button', { name: `Save plan of ${ownerOrg}` }).click();
    await row.getByText(`${ownerOrg}: plan pro.`).waitFor();
    await op.reload();
    assert.match(await op.getByRole('row', { name: new RegExp(ownerOrg) }).innerText(), /pro/);
    await screenshot(op, 'admin-orgs');
    await owner.goto('/org');
    assert.match(await owner.locator('.facts').first().innerText(), /pro/);
  });

  test('the audit log names sites, organisations and people, and filters by a site name or an email', async () => {
    await op.goto(`/admin/audit?target=${site}`);
    const rows = op.getByRole('row', { name: /site\.(suspend|resume|create)/ });
    await rows.first().waitFor();
    for (const row of await rows.all()) {
      const text = await row.innerText();
      assert.match(text, new RegExp(`site\\s+${site}`), text);
      assert.match(text, new RegExp(ownerOrg), text);
      assert.doesNotMatch(text, /[0-9a-f]{8}-[0-9a-f]{4}-/, `a UUID on screen: ${text}`);
    }
    assert.deepEqual(new Set(await Promise.all((await rows.all()).map(async (r) => /site\.(\w+)/.exec(await r.innerText())?.[1]))), new Set(['create', 'suspend', 'resume']));
    // By who did it: the operator's email.
    await op.getByLabel('About: a site or organisation name, or an email').fill('');
    await op.getByLabel('By: the email of who did it').fill(api.operator.email);
    await op.getByRole('button', { name: 'Filter' }).click();
    await op.waitForURL((u) => u.searchParams.get('actor') === api.operator.email);
    const byOperator = op.getByRole('row', { name: /site\.suspend/ });
    await byOperator.first().waitFor();
    assert.equal(await op.getByRole('row', { name: /site\.create/ }).count(), 0, 'the owner created the site, not the operator');
    await screenshot(op, 'admin-audit');
  });

  test('the audit log lists the suspension and resumption, filtered by action, also on a phone', async () => {
    await op.setViewportSize(phone);
    await op.goto('/admin/audit?action=site.suspend');
    const rows = op.getByRole('row', { name: /site\.suspend/ });
    // The page streams in after its loading state: wait for the rows, then count.
    await rows.first().waitFor();
    assert.ok((await rows.count()) >= 1);
    assert.match(await rows.first().innerText(), new RegExp(api.operator.email.replace(/[.+]/g, '\\$&')));
    const overflow = await op.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the audit log is ${overflow}px wider than a phone`);
    await screenshot(op, 'admin-audit-phone');
    await op.goto('/admin/audit?action=site.resume');
    await op.getByRole('row', { name: /site\.resume/ }).first().waitFor();
  });

  test('the audit log shows env changes by name (never by value) and domains added and removed, with who made them and the site', async () => {
    const value = `secret-${suffix()}`;
    const host = `www.${site}.example.com`;
    await apiCall(api.url, `/v1/sites/${site}/env`, { method: 'PATCH', token: ownerToken, body: { vars: { MAIL_PASSWORD: value } } });
    await apiCall(api.url, `/v1/sites/${site}/domains`, { method: 'POST', token: ownerToken, body: { hostname: host } });
    await apiCall(api.url, `/v1/sites/${site}/domains/${host}`, { method: 'DELETE', token: ownerToken });
    await op.setViewportSize(desktop);
    await op.goto(`/admin/audit?target=${site}`);
    const row = (action: string) => op.getByRole('row', { name: new RegExp(action.replace('.', '\\.')) });
    await row('domain.remove').first().waitFor();
    const email = new RegExp(ownerEmail.replace(/[.+]/g, '\\$&'));
    for (const [action, detail] of [['site.env', 'set MAIL_PASSWORD'], ['domain.add', host], ['domain.remove', host]] as const) {
      const text = await row(action).first().innerText();
      assert.match(text, email, text);
      assert.match(text, new RegExp(`site\\s+${site}`), text);
      assert.ok(text.includes(detail), `${action}: ${text}`);
    }
    assert.equal(await op.getByText(value).count(), 0, 'an env var value is on the audit page');
    await screenshot(op, 'admin-audit-site-changes');
  });

  let opToken: string | undefined;
  async function operatorToken(): Promise<string> {
    opToken ??= (await apiCall<{ session: { token: string } }>(api.url, '/v1/auth/login', { method: 'POST', body: { email: api.operator.email, password: api.operator.password } })).session.token;
    return opToken;
  }
  async function siteId(): Promise<string> {
    const r = await apiCall<{ sites: { id: string; name: string }[] }>(api.url, `/v1/admin/sites?q=${site}`, { token: await operatorToken() });
    const found = r.sites.find((s) => s.name === site);
    assert.ok(found);
    return found.id;
  }
});
