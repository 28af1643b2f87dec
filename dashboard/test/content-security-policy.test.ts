// The dashboard's browser-side defences, in a real browser against a real control plane:
// every page comes with a strict, nonce-based Content-Security-Policy under which the main pages
// still work with not one violation; and a server action posted from another site's page — here
// one on the same host, a port away, as a tenant site on <site>.localhost would be — is refused
// with 403 and does nothing, while the same action from the dashboard's own page runs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { deployRuntimeOf } from '@paddock/control-plane/platform/deploy-runtime';
import { SiteMetricsRecorder, siteMetricsStore } from '@paddock/control-plane/metrics/site-metrics';
import { startDashboard, type RunningDashboard } from './support/dashboard-server.js';
import { desktop, launchBrowser, screenshot } from './support/browser.js';
import { startApi, suffix, uniqueEmail, type RunningApi } from './support/control-plane.js';
import { apiCall, createReadySite, signupViaApi } from './support/api-client.js';

/** Parses a Content-Security-Policy header into its directives. */
function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...values] = d.split(/\s+/);
    return [name!, values];
  }));
}

describe('content security policy and cross-origin server actions', () => {
  let browser: Browser;
  let api: RunningApi;
  let dash: RunningDashboard;
  let ctx: BrowserContext;
  let evil: Server;
  let token: string;
  const site = `csp-${suffix()}`;
  /** Violations the pages reported, by page. */
  const violations: string[] = [];

  before(async () => {
    [browser, api] = await Promise.all([launchBrowser(), startApi()]);
    dash = await startDashboard({ PADDOCK_API_URL: api.url });
    ({ token } = await signupViaApi(api.url, uniqueEmail('csp'), `pw-${suffix()}-${suffix()}`));
    const { id } = await createReadySite(api.url, token, site);
    await apiCall(api.url, `/v1/sites/${site}/env`, { method: 'PATCH', token, body: { vars: { GREETING: 'hello' } } });
    // Traffic the edge would have counted, so the metrics page draws its charts.
    const recorder = new SiteMetricsRecorder(siteMetricsStore(api.platform.redis, deployRuntimeOf(api.platform).edge.namespace));
    for (let i = 0; i < 20; i++) recorder.record(id, i % 10 ? 200 : 500, 5 + i, Date.now() - (i % 3) * 60_000);
    await recorder.flush();

    ctx = await browser.newContext({ viewport: desktop, baseURL: dash.url });
    // The dashboard's session cookie holds the API's session token, as logging in would set it.
    await ctx.addCookies([{ name: 'paddock_dashboard_session', value: token, url: dash.url, httpOnly: true, sameSite: 'Lax' }]);
    // Listens before any page script: a CDP-injected script is not subject to the page's policy.
    await ctx.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sample})`);
      });
    });
    evil = createServer((req, res) => {
      // Another site's page that submits the dashboard's logout action with the visitor's cookie.
      const actionId = new URL(req.url ?? '/', 'http://x').searchParams.get('action') ?? '';
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><form id="f" method="POST" enctype="multipart/form-data" action="${dash.url}/sites">`
        + `<input type="hidden" name="$ACTION_ID_${actionId}" value=""></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    evil?.close();
    await ctx?.close();
    await Promise.all([browser?.close(), dash?.stop()]);
    await api?.stop();
  });

  async function open(page: Page, path: string): Promise<Map<string, string[]>> {
    const res = await page.goto(path);
    assert.ok(res, `no answer for ${path}`);
    assert.equal(res.status(), 200, `${path} answered ${res.status()}`);
    const policy = res.headers()['content-security-policy'];
    assert.ok(policy, `${path} has no Content-Security-Policy`);
    return directives(policy);
  }

  function collect(page: Page, path: string): void {
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|CSP violation/i.test(m.text())) violations.push(`${path}: ${m.text()}`);
    });
    page.on('pageerror', (e) => violations.push(`${path}: ${e.message}`));
  }

  test('every page has a strict policy: scripts only with a fresh nonce, no plugins, no framing, forms and base URL kept here', async () => {
    const page = await ctx.newPage();
    const seen = new Set<string>();
    for (const path of ['/', '/login', '/sites', `/sites/${site}`]) {
      const csp = await open(page, path);
      const scripts = csp.get('script-src') ?? [];
      const nonce = scripts.find((s) => s.startsWith("'nonce-"));
      assert.ok(nonce, `${path}: script-src has a nonce: ${scripts.join(' ')}`);
      assert.ok(!seen.has(nonce), `${path}: the nonce is new for every page`);
      seen.add(nonce);
      assert.ok(scripts.includes("'strict-dynamic'"), `${path}: 'strict-dynamic'`);
      assert.ok(!scripts.includes("'unsafe-inline'") && !scripts.includes("'unsafe-eval'"), `${path}: no unsafe script sources: ${scripts.join(' ')}`);
      assert.ok(!(csp.get('style-src') ?? []).includes("'unsafe-inline'"), `${path}: no inline styles`);
      assert.deepEqual(csp.get('object-src'), ["'none'"]);
      assert.deepEqual(csp.get('base-uri'), ["'self'"]);
      assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
      assert.deepEqual(csp.get('form-action'), ["'self'"]);
      assert.deepEqual(csp.get('default-src'), ["'self'"]);
      // Every script the server wrote carries this answer's nonce (the ones Next.js adds later are trusted through 'strict-dynamic').
      const html = await (await fetch(`${dash.url}${path}`, { headers: { cookie: `paddock_dashboard_session=${token}` } })).text();
      const tags = html.match(/<script\b[^>]*>/g) ?? [];
      assert.ok(tags.length > 0, `${path}: no scripts`);
      for (const tag of tags) assert.match(tag, /\snonce="[A-Za-z0-9+/=]+"/, `${path}: ${tag}`);
    }
    // A page of the build that is not found, and a redirect to log in, carry it too.
    const missing = await fetch(`${dash.url}/no-such-page`);
    assert.match(missing.headers.get('content-security-policy') ?? '', /'strict-dynamic'/);
    await page.close();
  });

  test('the main pages work under it with no violation: charts drawn, a secret revealed, a client-side navigation', async () => {
    const page = await ctx.newPage();
    const pages = ['/', '/login', '/signup', '/reset', '/sites', '/sites/new', `/sites/${site}`, `/sites/${site}/env`, `/sites/${site}/database`,
      `/sites/${site}/domains`, `/sites/${site}/deploys`, `/sites/${site}/logs`, `/sites/${site}/metrics`, '/org', '/org/tokens'];
    for (const path of pages) {
      collect(page, path);
      await open(page, path);
      await page.waitForLoadState('networkidle');
      page.removeAllListeners('console');
      page.removeAllListeners('pageerror');
    }
    // Scripts ran: recharts drew its SVG (only in the browser), the env page's Reveal shows a value.
    collect(page, 'interactions');
    await open(page, `/sites/${site}/metrics`);
    await page.locator('[data-testid^="chart-"] svg.recharts-surface').first().waitFor();
    // Three minutes of traffic in the hour: a few bars at the end of the hour's whole time axis.
    await page.getByTestId('chart-requests').locator('.recharts-bar-rectangle').first().waitFor();
    await screenshot(page, 'site-metrics-few-minutes');
    await open(page, `/sites/${site}/env`);
    await page.getByRole('button', { name: 'Reveal GREETING' }).click();
    await page.getByTestId('value-GREETING').getByText('hello').waitFor();
    await page.getByRole('link', { name: 'Database and cache' }).click();
    await page.waitForURL(`**/sites/${site}/database`);
    await page.waitForLoadState('networkidle');
    assert.deepEqual(violations, [], 'CSP violations or page errors');
    await page.close();
  });

  test('the token page offers the secrets scope', async () => {
    const page = await ctx.newPage();
    await open(page, '/org/tokens');
    const scope = (name: string) => page.locator(`input[name="scopes"][value="${name}"]`);
    assert.match(await page.locator('label', { has: scope('secrets') }).innerText(), /secrets — read, plus env var values and database passwords/);
    await scope('secrets').check();
    await scope('write').uncheck();
    await scope('read').uncheck();
    await page.getByLabel('Token name', { exact: true }).fill('backups');
    await page.getByRole('button', { name: 'Create token' }).click();
    const made = await page.getByTestId('new-token').inputValue();
    const me = await apiCall<{ credential: { scopes: string[] } }>(api.url, '/v1/auth/me', { token: made });
    assert.deepEqual(me.credential.scopes, ['secrets']);
    await page.close();
  });

  test('attack: a server action posted from another origin is refused with 403 and does nothing; from the dashboard it runs', async () => {
    const page = await ctx.newPage();
    await open(page, '/sites');
    // The header's logout form: a server action the page posts to itself.
    const actionId = /name="\$ACTION_ID_([0-9a-f]+)"/.exec(await page.content())?.[1];
    assert.ok(actionId, 'the logout form names its action');
    const stillLoggedIn = async () => (await fetch(`${api.url}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status === 200;
    const cookie = `paddock_dashboard_session=${token}`;
    const foreign = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;

    // As fetch() sends it (the Next-Action header)...
    const viaFetch = await fetch(`${dash.url}/sites`, {
      method: 'POST', redirect: 'manual',
      headers: { cookie, origin: foreign, 'next-action': actionId, 'content-type': 'text/plain;charset=UTF-8' },
      body: '[]',
    });
    assert.equal(viaFetch.status, 403, await viaFetch.text());
    // ...as a form without JavaScript would, and with an opaque origin (a sandboxed frame, a data: URL).
    for (const origin of [foreign, 'null']) {
      const form = new FormData();
      form.set(`$ACTION_ID_${actionId}`, '');
      const viaForm = await fetch(`${dash.url}/sites`, { method: 'POST', redirect: 'manual', headers: { cookie, origin }, body: form });
      assert.equal(viaForm.status, 403, `${origin}: ${await viaForm.text()}`);
    }
    assert.ok(await stillLoggedIn(), 'a refused action did nothing');

    // In the browser: the other site's page submits the form with the visitor's cookie (same host, so SameSite=Lax sends it).
    const attacked = page.waitForResponse((r) => r.url() === `${dash.url}/sites` && r.request().method() === 'POST');
    await page.goto(`${foreign}/?action=${actionId}`);
    const answer = await attacked;
    assert.equal(answer.status(), 403);
    assert.equal(answer.request().headers().origin, foreign);
    assert.ok(await stillLoggedIn(), 'the cross-origin logout did not happen');

    // The same action from the dashboard's own page runs: the refusal was about the origin.
    await open(page, '/sites');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sites'));
    assert.equal(await stillLoggedIn(), false);
    await page.close();
  });
});
