// The home page shows the control plane's health, read server-side, and says clearly when the API is down.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startDashboard, type RunningDashboard } from './support/dashboard-server.js';
import { desktop, launchBrowser, phone, screenshot } from './support/browser.js';
import { closedPort } from './support/ports.js';
import { startApi, type RunningApi } from './support/control-plane.js';

describe('home page health', () => {
  let browser: Browser;
  let down: RunningDashboard;

  before(async () => {
    const port = await closedPort();
    [browser, down] = await Promise.all([launchBrowser(), startDashboard({ PADDOCK_API_URL: `http://127.0.0.1:${port}` })]);
  });
  after(async () => {
    await Promise.all([browser?.close(), down?.stop()]);
  });

  test('home says the API is down, and what to do, when nothing answers at PADDOCK_API_URL', async () => {
    const page = await browser.newPage({ viewport: phone });
    const res = await page.goto(down.url);
    assert.equal(res?.status(), 200);
    const panel = page.getByTestId('health');
    assert.match(await panel.getByRole('heading').innerText(), /The API is down/);
    const alert = await panel.getByRole('alert').innerText();
    assert.match(alert, /ECONNREFUSED/);
    assert.match(alert, /npm start/);
    await screenshot(page, 'home-api-down-phone');
    // Nothing wider than a phone: no sideways scrolling.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone screen`);
    await page.close();
  });

  test('the API URL never reaches the browser bundle, only the server-rendered text', async () => {
    const page = await browser.newPage();
    const pending: Promise<string>[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('.js')) pending.push(r.text());
    });
    await page.goto(down.url, { waitUntil: 'networkidle' });
    const scripts = await Promise.all(pending);
    assert.ok(scripts.length > 0, 'expected the page to load some scripts');
    for (const s of scripts) assert.doesNotMatch(s, /PADDOCK_API_URL|healthz/);
    await page.close();
  });
});

describe('home page health against a real control plane', () => {
  let browser: Browser;
  let api: RunningApi;
  let degradedApi: RunningApi;
  let dash: RunningDashboard;
  let degradedDash: RunningDashboard;

  before(async () => {
    // A second API whose Postgres is gone: its /healthz answers 503 and says which check fails.
    const deadPostgres = await closedPort();
    [browser, api, degradedApi] = await Promise.all([
      launchBrowser(),
      startApi(),
      startApi({ bare: true, env: { PADDOCK_DATABASE_URL: `postgres://paddock@127.0.0.1:${deadPostgres}/paddock` } }),
    ]);
    [dash, degradedDash] = await Promise.all([
      startDashboard({ PADDOCK_API_URL: api.url }),
      startDashboard({ PADDOCK_API_URL: degradedApi.url }),
    ]);
  });
  after(async () => {
    await Promise.all([browser?.close(), dash?.stop(), degradedDash?.stop()]);
    await Promise.all([api?.stop(), degradedApi?.stop()]);
  });

  test('home shows every check ok when the API reaches its Postgres and Redis', async () => {
    const page = await browser.newPage({ viewport: desktop });
    await page.goto(dash.url);
    const panel = page.getByTestId('health');
    assert.match(await panel.getByRole('heading').innerText(), /All systems working/);
    const checks = await panel.locator('dl.checks > div').allInnerTexts();
    assert.equal(checks.length, 2, `expected two checks, got ${JSON.stringify(checks)}`);
    for (const name of ['postgres', 'redis']) {
      assert.ok(checks.some((c) => c.startsWith(name) && /\bok\b/.test(c)), `${name} should be ok: ${JSON.stringify(checks)}`);
    }
    await screenshot(page, 'home-api-ok');
    await page.close();
  });

  test('home says the API is degraded, and which check fails, when the API cannot reach Postgres', async () => {
    const page = await browser.newPage({ viewport: desktop });
    await page.goto(degradedDash.url);
    const panel = page.getByTestId('health');
    assert.match(await panel.getByRole('heading').innerText(), /degraded/);
    const failing = await panel.locator('dl.checks > div.check-bad').allInnerTexts();
    assert.equal(failing.length, 1, `expected one failing check, got ${JSON.stringify(failing)}`);
    assert.match(failing[0] ?? '', /^postgres/);
    await screenshot(page, 'home-api-degraded');
    await page.close();
  });
});
