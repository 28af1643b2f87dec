// A site owner's path through the dashboard in a real browser against a real control plane:
// sign up, create a site and watch it become ready, scale it, tokens, members, log out and in,
// reset the password, delete the site. Screenshots of each main page go to test-output/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startDashboard, type RunningDashboard } from './support/dashboard-server.js';
import { desktop, launchBrowser, phone, screenshot } from './support/browser.js';
import { startApi, suffix, uniqueEmail, type RunningApi } from './support/control-plane.js';
import { eventually, fillByLabel, formMessage } from './support/pages.js';

/** How many lines an inline element's text takes (its boxes' distinct tops). */
function lineCount(el: Locator): Promise<number> {
  return el.evaluate((e) => new Set([...e.getClientRects()].map((r) => Math.round(r.top))).size);
}

/** How many lines the last piece of a SiteUrl (".<domain>:<port>") takes. */
function lastPartLines(el: Locator): Promise<number> {
  return el.evaluate((e) => {
    const texts = [...e.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE);
    const range = document.createRange();
    range.selectNodeContents(texts[texts.length - 1]!);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
  });
}

describe('site owner flow', () => {
  let browser: Browser;
  let api: RunningApi;
  let dash: RunningDashboard;
  let ctx: BrowserContext;
  let page: Page;
  const email = uniqueEmail('owner');
  const password = `pw-${suffix()}-${suffix()}`;
  const newPassword = `new-${suffix()}-${suffix()}`;
  const site = `dash-${suffix()}`;

  before(async () => {
    [browser, api] = await Promise.all([launchBrowser(), startApi()]);
    dash = await startDashboard({ PADDOCK_API_URL: api.url });
    ctx = await browser.newContext({ viewport: desktop, baseURL: dash.url });
    page = await ctx.newPage();
  });
  after(async () => {
    await ctx?.close();
    await Promise.all([browser?.close(), dash?.stop()]);
    await api?.stop();
  });

  test('protected pages send a visitor without a session to log in, remembering where they were going', async () => {
    await page.goto('/sites/new');
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(new URL(page.url()).searchParams.get('next'), '/sites/new');
  });

  test('sign up keeps what was typed (but not the password) when the password is too short', async () => {
    await page.goto('/signup');
    await fillByLabel(page, { 'Your name': 'Ada Owner', Email: email, Password: 'short' });
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Use at least 10 characters.').waitFor();
    // One message about the password, not the hint and the error saying it twice.
    assert.equal(await page.getByText('At least 10 characters.', { exact: true }).count(), 0);
    assert.equal(await page.getByText(/at least 10 characters/i).count(), 1);
    assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), email);
    assert.equal(await page.getByLabel('Your name', { exact: true }).inputValue(), 'Ada Owner');
    assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '');
    assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'signup-error');
  });

  test('sign up creates the account, logs in and lands on an empty sites list', async () => {
    await fillByLabel(page, { Password: password });
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/sites');
    await page.getByRole('heading', { name: 'No sites yet' }).waitFor();
    assert.match(await page.locator('header').innerText(), new RegExp(email.replace(/[.+]/g, '\\$&')));
    await screenshot(page, 'sites-empty');
  });

  test("the session cookie is HttpOnly and the API's token never reaches the page", async () => {
    const cookies = await ctx.cookies();
    const session = cookies.find((c) => c.name === 'paddock_dashboard_session');
    assert.ok(session, `no dashboard session cookie among ${cookies.map((c) => c.name).join(', ')}`);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(await page.evaluate(() => document.cookie.includes('pds_')), false);
    assert.equal((await page.content()).includes(session.value), false);
  });

  test('every page has a favicon', async () => {
    const icons = await page.locator('link[rel="icon"]').evaluateAll((links) => links.map((l) => (l as HTMLLinkElement).href));
    assert.ok(icons.length >= 1, 'no <link rel="icon">');
    for (const href of [...icons, `${dash.url}/favicon.ico`]) {
      const res = await fetch(href);
      assert.equal(res.status, 200, href);
      assert.match(res.headers.get('content-type') ?? '', /^image\//, href);
    }
  });

  test('create site refuses a name that is not a DNS label and keeps it in the field', async () => {
    await page.getByRole('link', { name: 'New site' }).click();
    await page.waitForURL('**/sites/new');
    // The address a site gets, with the edge's port, as the API will give it.
    const hint = await page.locator('#f-name-hint').innerText();
    assert.match(hint, new RegExp(`Your site answers at <name>\\.${api.config.siteDomain}:${api.config.edgePort}\\.$`));
    assert.equal(await page.getByRole('navigation', { name: 'Breadcrumb' }).innerText(), 'Sites');
    await screenshot(page, 'site-new');
    await fillByLabel(page, { 'Site name': 'Not_A_Label' });
    await page.getByRole('button', { name: 'Create site' }).click();
    await page.getByText(/Use lowercase letters, digits and hyphens/).waitFor();
    assert.equal(await page.getByLabel('Site name', { exact: true }).inputValue(), 'Not_A_Label');
    await screenshot(page, 'site-new-error');
  });

  test('create site opens its page, which refreshes itself until provisioning is done', async () => {
    await fillByLabel(page, { 'Site name': site });
    await page.getByRole('button', { name: 'Create site' }).click();
    await page.waitForURL(`**/sites/${site}`);
    await page.getByRole('heading', { name: site, level: 1 }).waitFor();
    await eventually('the site becoming ready', async () => (await page.locator('.page-head .badge').innerText()) === 'ready');
    const url = await page.getByTestId('site-url').innerText();
    assert.equal(url, `http://${site}.${api.config.siteDomain}:${api.config.edgePort}`);
    await page.getByRole('heading', { name: 'Deploy your code' }).waitFor();
    // The trail back ends at the parent: no separator left hanging after "Sites".
    assert.equal(await page.getByRole('navigation', { name: 'Breadcrumb' }).innerText(), 'Sites');
    // The address is one line on a desktop; on a phone it may break only before a dot, never inside host:port.
    assert.equal(await lineCount(page.getByTestId('site-url')), 1, 'the URL wraps on a desktop');
    await screenshot(page, 'site-overview');
    await page.setViewportSize({ width: 320, height: 740 });
    assert.equal(await lastPartLines(page.getByTestId('site-url')), 1, `".${api.config.siteDomain}:${api.config.edgePort}" is split across lines`);
    await screenshot(page, 'site-overview-narrow');
    await page.setViewportSize(desktop);
  });

  test('a site that does not exist answers 404 with the not-found page, on each of its pages', async () => {
    for (const path of ['/sites/does-not-exist', '/sites/does-not-exist/deploys', '/sites/does-not-exist/logs']) {
      const res = await page.goto(path);
      assert.equal(res?.status(), 404, path);
      await page.getByRole('heading', { name: 'Not found' }).waitFor();
    }
    await screenshot(page, 'site-not-found');
  });

  test('a name another site already has is refused with the API’s explanation, beside the field', async () => {
    await page.goto('/sites/new');
    await fillByLabel(page, { 'Site name': site });
    await page.getByRole('button', { name: 'Create site' }).click();
    await page.locator('.field-error').waitFor();
    assert.match(await page.locator('.field-error').innerText(), /taken/);
    assert.equal(await page.getByLabel('Site name', { exact: true }).inputValue(), site);
  });

  test('the sites list shows the site with its status, organisation, URL, last deploy and whether it is awake, also on a phone', async () => {
    await page.goto('/sites');
    const row = page.getByRole('row', { name: new RegExp(site) });
    assert.match(await row.innerText(), /ready/);
    assert.match(await row.innerText(), new RegExp(`${site}\\.`));
    for (const column of ['Last deploy', 'Awake or sleeping']) await page.getByRole('columnheader', { name: column }).waitFor();
    assert.equal(await row.locator('td[data-label="Last deploy"]').innerText(), 'never');
    assert.equal(await row.locator('td[data-label="Awake or sleeping"]').innerText(), 'Not deployed');
    await screenshot(page, 'sites-list');
    await page.setViewportSize(phone);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the sites list is ${overflow}px wider than a phone`);
    await screenshot(page, 'sites-list-phone');
    await page.setViewportSize(desktop);
  });

  test('scaling beyond the plan is refused with the quota in the message, and the numbers stay', async () => {
    await page.goto(`/sites/${site}`);
    await fillByLabel(page, { Replicas: '50' });
    await page.getByRole('button', { name: 'Scale', exact: true }).click();
    await page.locator('.notice-error').waitFor();
    assert.match(await formMessage(page), /plan/i);
    assert.equal(await page.getByLabel('Replicas', { exact: true }).inputValue(), '50');
  });

  test('an API token is shown once at creation, then listed by name and revocable', async () => {
    await page.goto('/org/tokens');
    await fillByLabel(page, { 'Token name': 'laptop' });
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByTestId('new-token').inputValue();
    assert.match(secret, /^pdt_/);
    await screenshot(page, 'tokens-created');
    // The token works against the API as the user.
    const me = await fetch(`${api.url}/v1/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(me.status, 200);
    await page.reload();
    assert.equal(await page.getByTestId('new-token').count(), 0);
    assert.equal((await page.content()).includes(secret), false);
    await page.getByRole('button', { name: 'Revoke token laptop' }).click();
    await page.getByText('revoked').waitFor();
    const after = await fetch(`${api.url}/v1/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(after.status, 401);
  });

  test('the organisation page lists the owner and takes an invitation', async () => {
    await page.goto('/org');
    const me = page.getByRole('row', { name: new RegExp(email.replace(/[.+]/g, '\\$&')) });
    assert.match(await me.innerText(), /owner/);
    // The only owner is offered neither a role change nor removal (the API refuses both): a note says why.
    assert.equal(await me.getByRole('button').count(), 0);
    assert.equal(await me.getByRole('combobox').count(), 0);
    assert.match(await me.getByTestId('sole-owner').innerText(), /only owner/);
    const invitee = uniqueEmail('invitee');
    await fillByLabel(page, { Email: invitee });
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText(`Invitation sent to ${invitee}`).waitFor();
    await page.getByText(`${invitee} — developer`).waitFor();
    assert.ok(api.platform.mailer.sent.some((m) => m.to === invitee && /invitations\/accept\?token=/.test(m.text)));
    await screenshot(page, 'organisation');
  });

  test('log out ends the session; a wrong password keeps the email; logging in returns to where the user was going', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login?signedOut=1');
    await page.getByText('You are logged out.').waitFor();
    assert.equal((await ctx.cookies()).some((c) => c.name === 'paddock_dashboard_session'), false);
    await page.goto('/org/tokens');
    await page.waitForURL('**/login?next=%2Forg%2Ftokens');
    await fillByLabel(page, { Email: email, Password: 'wrong-password-1' });
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('.notice-error').waitFor();
    assert.match(await formMessage(page), /Wrong email or password/);
    assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), email);
    await screenshot(page, 'login-error');
    await fillByLabel(page, { Password: password });
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/org/tokens');
  });

  test('after login, a next= pointing to another site is ignored', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login?signedOut=1');
    await page.goto('/login?next=//evil.example/phish');
    await fillByLabel(page, { Email: email, Password: password });
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/sites');
    assert.equal(new URL(page.url()).host, new URL(dash.url).host);
  });

  test('password reset: the request answers the same for unknown emails, and the emailed link sets a new password', async () => {
    const reset = await browser.newContext({ viewport: phone, baseURL: dash.url });
    const p = await reset.newPage();
    await p.goto('/reset');
    await fillByLabel(p, { Email: uniqueEmail('nobody') });
    await p.getByRole('button', { name: 'Send me a reset link' }).click();
    const unknown = await p.getByRole('status').filter({ hasText: 'If an account exists' }).innerText();
    await p.goto('/reset');
    await fillByLabel(p, { Email: email });
    await p.getByRole('button', { name: 'Send me a reset link' }).click();
    const known = await p.getByRole('status').filter({ hasText: 'If an account exists' }).innerText();
    assert.equal(known.replace(email, 'X'), unknown.replace(/\S+@\S+paddock\.localhost/, 'X'));
    await screenshot(p, 'reset-request-phone');
    const mail = api.platform.mailer.sent.filter((m) => m.to === email).at(-1);
    assert.ok(mail, 'no reset mail was sent');
    const link = /https?:\/\/\S+\/reset-password\?token=\S+/.exec(mail.text)?.[0];
    assert.ok(link, `no link in: ${mail.text}`);
    await p.goto(`/reset-password${new URL(link).search}`);
    await fillByLabel(p, { 'New password': newPassword, 'New password again': `${newPassword}x` });
    await p.getByRole('button', { name: 'Set new password' }).click();
    await p.getByText('The two passwords differ').waitFor();
    await fillByLabel(p, { 'New password': newPassword, 'New password again': newPassword });
    await p.getByRole('button', { name: 'Set new password' }).click();
    await p.waitForURL('**/login?reset=1');
    await fillByLabel(p, { Email: email, Password: newPassword });
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.waitForURL('**/sites');
    await reset.close();
    // A reset ends every session: the first browser is logged out on its next page.
    await page.goto('/sites');
    await page.waitForURL('**/login**');
    await fillByLabel(page, { Email: email, Password: newPassword });
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/sites');
  });

  test('deleting a site needs its name typed, then it goes away', async () => {
    await page.goto(`/sites/${site}`);
    await fillByLabel(page, { [`Type ${site} to confirm`]: 'something-else' });
    await page.getByRole('button', { name: 'Delete this site' }).click();
    await page.getByText(`Type the site's name, ${site}, to confirm.`).waitFor();
    await fillByLabel(page, { [`Type ${site} to confirm`]: site });
    await page.getByRole('button', { name: 'Delete this site' }).click();
    await page.waitForURL(`**/sites?deleted=${site}`);
    await page.getByText(`${site} is being deleted.`).waitFor();
    // Teardown runs in the worker; wait for it so the tenant database and Redis user are gone before cleanup.
    await eventually('the site being torn down', async () => {
      const row = await api.platform.db.selectFrom('sites').select('status').where('name', '=', site).executeTakeFirst();
      return row?.status === 'deleted';
    });
  });
});
