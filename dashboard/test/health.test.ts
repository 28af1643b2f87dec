// The home page shows the control plane's health, read server-side, and says clearly when the API is down.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startDashboard, type RunningDashboard } from './support/dashboard-server.js';
import { launchBrowser, phone, screenshot } from './support/browser.js';
import { closedPort } from './support/ports.js';

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
