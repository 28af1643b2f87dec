// Issue 9's whole path in a real browser, with the real CLI, control plane, builder, Docker and
// edge: sign up → create a site → wait until ready → set an env var → create a token → push with
// the CLI → watch the deploy's log and see it live → push again → roll back in the dashboard →
// an operator suspends the site and it answers 503.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { EdgeService } from '@paddock/control-plane/edge/edge-service';
import { deployRuntimeOf } from '@paddock/control-plane/platform/deploy-runtime';
import { removeReleaseImages } from '@paddock/control-plane/images/release-image';
import type { DockerDriver } from '@paddock/control-plane/drivers/docker';
import { repoRoot, startDashboard, type RunningDashboard } from './support/dashboard-server.js';
import { desktop, launchBrowser, phone, screenshot } from './support/browser.js';
import { startApi, suffix, uniqueEmail, type RunningApi } from './support/control-plane.js';
import { eventually, fillByLabel } from './support/pages.js';

const helloFixture = join(repoRoot, 'control-plane', 'test', 'deploy', 'fixtures', 'hello');
const cliBin = join(repoRoot, 'cli', 'bin', 'paddock.mjs');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function viaEdge(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false, timeout: 30_000 }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no answer from the edge for ${host}`)));
    req.end();
  });
}

describe('deploy flow: dashboard, CLI and edge together', () => {
  let browser: Browser;
  let api: RunningApi;
  let dash: RunningDashboard;
  let edge: EdgeService;
  let edgePort = 0;
  let ctx: BrowserContext;
  let page: Page;
  let cliToken = '';
  const email = uniqueEmail('deployer');
  const password = `pw-${suffix()}-${suffix()}`;
  const site = `flow-${suffix()}`;
  const host = `${site}.localhost`;
  const work = mkdtempSync(join(tmpdir(), 'pdk-dash-deploy-'));
  const edgeDir = mkdtempSync(join(tmpdir(), 'pdk-dash-edge-'));

  function push(dir: string): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [cliBin, 'push', dir, '--site', site, '--no-color'], {
        env: { ...process.env, PADDOCK_API: api.url, PADDOCK_TOKEN: cliToken, XDG_CONFIG_HOME: join(work, 'config'), NO_COLOR: '1' },
        timeout: 120_000,
      }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }));
    });
  }

  before(async () => {
    edgePort = await freePort();
    [browser, api] = await Promise.all([launchBrowser(), startApi({ env: { PADDOCK_EDGE_PORT: String(edgePort) } })]);
    edge = new EdgeService(deployRuntimeOf(api.platform), { dir: edgeDir, port: edgePort, bind: '127.0.0.1', adminPort: 0, memorySampleMs: 1000 });
    await edge.start();
    dash = await startDashboard({ PADDOCK_API_URL: api.url });
    ctx = await browser.newContext({ viewport: desktop, baseURL: dash.url });
    page = await ctx.newPage();
  });
  after(async () => {
    const deps = api ? deployRuntimeOf(api.platform) : undefined;
    await edge?.stop().catch(() => undefined);
    if (deps) {
      await deps.driver.removeSite(site).catch(() => undefined);
      await removeReleaseImages((deps.driver as DockerDriver).docker, site).catch(() => undefined);
    }
    // The site's tenant database, role and Redis user go with it.
    if (api && cliToken) {
      await fetch(`${api.url}/v1/sites/${site}`, { method: 'DELETE', headers: { authorization: `Bearer ${cliToken}` } }).catch(() => undefined);
      await eventually('the test site being torn down', async () => {
        const row = await api.platform.db.selectFrom('sites').select('status').where('name', '=', site).executeTakeFirst();
        return !row || row.status === 'deleted';
      }).catch(() => undefined);
    }
    await ctx?.close();
    await Promise.all([browser?.close(), dash?.stop()]);
    await api?.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(edgeDir, { recursive: true, force: true });
  });

  test('sign up, create a site and wait until it is ready', async () => {
    await page.goto('/signup');
    await fillByLabel(page, { Email: email, Password: password });
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/sites');
    await page.getByRole('link', { name: 'New site' }).click();
    await fillByLabel(page, { 'Site name': site });
    await page.getByRole('button', { name: 'Create site' }).click();
    await page.waitForURL(`**/sites/${site}`);
    await eventually('the site becoming ready', async () => (await page.locator('.page-head .badge').innerText()) === 'ready', 30_000);
  });

  test('set an env var, and create the token the CLI will use', async () => {
    await page.goto(`/sites/${site}/env`);
    await fillByLabel(page, { Name: 'GREETING', Value: 'the dashboard' });
    await page.getByRole('button', { name: 'Set variable' }).click();
    await page.getByText('GREETING is set.').waitFor();
    await page.goto('/org/tokens');
    await fillByLabel(page, { 'Token name': 'cli' });
    await page.getByRole('button', { name: 'Create token' }).click();
    cliToken = await page.getByTestId('new-token').inputValue();
    assert.match(cliToken, /^pdt_/);
  });

  test('a push with the CLI shows its build log in the dashboard and goes live with the env var', async () => {
    const dir = join(work, 'v1');
    cpSync(helloFixture, dir, { recursive: true });
    const pushing = push(dir);
    // Open the deploy's log as soon as the API has it: live while it runs, replayed if it is done.
    let deployId = '';
    await eventually('the deploy appearing', async () => {
      const r = await fetch(`${api.url}/v1/sites/${site}/deploys`, { headers: { authorization: `Bearer ${cliToken}` } });
      deployId = ((await r.json()) as { deploys: { id: string }[] }).deploys[0]?.id ?? '';
      return deployId !== '';
    }, 60_000);
    await page.goto(`/sites/${site}/deploys?log=${deployId}`);
    await eventually('the deploy finishing in the dashboard', async () => (await page.getByTestId('deploy-status').innerText()) === 'succeeded', 120_000);
    const log = await page.getByTestId('deploy-log').innerText();
    assert.ok(log.split('\n').length > 2, `expected build and release lines, got: ${log}`);
    const cli = await pushing;
    assert.equal(cli.code, 0, cli.out);
    await page.reload();
    assert.match(await page.getByRole('row', { name: /^v1/ }).innerText(), /live/);
    // "live" once: in the Status column, not again beside the version.
    assert.equal((await page.getByRole('row', { name: /^v1/ }).innerText()).match(/live/g)?.length, 1);
    await screenshot(page, 'site-deploys');
    assert.deepEqual(await viaEdge(edgePort, host), { status: 200, body: 'hello from the dashboard' });
    await page.goto(`/sites/${site}`);
    assert.match(await page.locator('.facts').innerText(), /v1/);
    assert.equal(await page.getByTestId('run-state').innerText(), 'Awake');
  });

  test('the sites list shows when the site was deployed and that it is awake', async () => {
    await page.goto('/sites');
    const row = page.getByRole('row', { name: new RegExp(site) });
    const deployed = row.locator('td[data-label="Last deploy"]');
    assert.match(await deployed.innerText(), /^(just now|\d+ min ago) · v1$/);
    // Relative on screen, the exact time on hover.
    assert.ok(Date.parse((await deployed.locator('time').getAttribute('title')) ?? '') > Date.now() - 600_000);
    assert.equal(await row.locator('td[data-label="Awake or sleeping"]').innerText(), 'Awake');
    await screenshot(page, 'sites-list-deployed');
  });

  test('after an env change and a second push, rolling back in the dashboard serves the first build with its env vars again', async () => {
    // An env change is a release (v2) that names the variable it changed.
    const changed = await fetch(`${api.url}/v1/sites/${site}/env`, {
      method: 'PATCH', headers: { authorization: `Bearer ${cliToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ vars: { GREETING: 'the env' } }),
    });
    assert.equal(changed.status, 200, await changed.text());
    await eventually('the env release going live', async () => (await viaEdge(edgePort, host)).body === 'hello from the env', 60_000);
    const dir = join(work, 'v2');
    cpSync(helloFixture, dir, { recursive: true });
    const siteTs = join(dir, 'site.ts');
    writeFileSync(siteTs, readFileSync(siteTs, 'utf8').replace('hello from', 'hello again from'));
    const second = await push(dir);
    assert.equal(second.code, 0, second.out);
    assert.equal((await viaEdge(edgePort, host)).body, 'hello again from the env');
    await page.goto(`/sites/${site}/deploys`);
    // On screen "env: ~GREETING"; to a screen reader "changed GREETING".
    const envRow = page.getByRole('row', { name: /^v2 .*env: changed GREETING/ });
    assert.match(await envRow.getByTestId('env-changes').innerText(), /env: ~[\s\S]*GREETING/);
    assert.equal(await page.getByRole('row', { name: /^v3 / }).getByTestId('env-changes').count(), 0, 'a push that kept the env vars names none');
    await page.getByText('Rolling back re-releases an earlier one: its code and its env vars.').waitFor();
    // Each "Roll back to vN" keeps its words on one line.
    for (const b of await page.getByRole('button', { name: /^Roll back to v\d+$/ }).all()) {
      const lines = await b.evaluate((el) => { const r = document.createRange(); r.selectNodeContents(el); return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size; });
      assert.equal(lines, 1, `"${await b.innerText()}" wraps`);
    }
    await screenshot(page, 'site-deploys-rollback');
    await page.getByRole('button', { name: 'Roll back to v1' }).click();
    // The first build's code and its GREETING both come back.
    await eventually('the rollback going live', async () => (await viaEdge(edgePort, host)).body === 'hello from the dashboard', 90_000);
    // The edge switches to the new replicas a moment before the release is recorded live: wait for
    // the record too, or the page may still show v3 live.
    await eventually('the rollback recorded live', async () => {
      const r = await fetch(`${api.url}/v1/sites/${site}/releases`, { headers: { authorization: `Bearer ${cliToken}` } });
      return ((await r.json()) as { releases: { version: number; status: string }[] }).releases.some((x) => x.version === 4 && x.status === 'live');
    }, 30_000);
    await page.reload();
    const live = page.getByRole('row', { name: /live/ }).first();
    assert.match(await live.innerText(), /^v4[\s\S]*Rollback to v1 \(code and env vars\)/);
    assert.equal(await page.getByRole('row', { name: /^v4 .*env: changed GREETING/ }).count(), 1, 'the rollback names the variable it restored');
    await screenshot(page, 'site-rolled-back');
  });

  test('the metrics tab charts the requests that went through the edge, with a text summary', async () => {
    for (let i = 0; i < 10; i++) assert.equal((await viaEdge(edgePort, host)).status, 200);
    // The edge flushes its counts every few seconds; the page shows what the API has when it renders.
    await page.goto(`/sites/${site}/metrics`);
    const total = async () => ((await page.getByTestId('metrics-total').count()) ? Number(/^(\d+) requests/.exec(await page.getByTestId('metrics-total').innerText())?.[1]) : 0);
    await eventually('the 10 requests just made and a memory sample showing on the metrics tab', async () => {
      if ((await total()) >= 10 && (await page.getByTestId('chart-memory').count()) > 0) return true;
      await page.reload();
      return false;
    }, 30_000);
    await page.getByTestId('chart-requests').locator('.recharts-bar-rectangle').first().waitFor();
    // The edge samples the replicas' memory every second here (every 15 s by default).
    await page.getByTestId('chart-memory').waitFor();
    assert.match(await page.getByTestId('memory-summary').innerText(), /^Latest [1-9][\d.]* MiB/);
    assert.match(await page.getByTestId('requests-summary').innerText(), /^Latest [\d.]+ req\/min, lowest [\d.]+ req\/min, highest [1-9][\d.]* req\/min\.$/);
    assert.equal(await page.getByRole('link', { name: 'last hour' }).getAttribute('aria-current'), 'page');
    // The red 5xx bars have a legend beside the requests'.
    assert.deepEqual(await page.getByTestId('chart-requests').locator('.recharts-legend-item-text').allInnerTexts(), ['Requests', 'of which 5xx errors']);
    await screenshot(page, 'site-metrics');
    await page.setViewportSize(phone);
    await page.getByTestId('chart-requests').locator('.recharts-bar-rectangle').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the metrics tab is ${overflow}px wider than a phone`);
    await screenshot(page, 'site-metrics-phone');
    await page.setViewportSize(desktop);
    await page.getByRole('link', { name: 'last 24 hours' }).click();
    await page.waitForURL('**/metrics?window=24h');
    await page.getByTestId('chart-requests').locator('.recharts-bar-rectangle').first().waitFor();
    assert.match(await page.getByTestId('metrics-total').innerText(), /in steps of 15 min/);
  });

  test('the logs tab shows the edge\'s access lines as people read them', async () => {
    await page.goto(`/sites/${site}/logs`);
    await eventually('the log stream opening', async () => (await page.getByRole('status').first().innerText()) === 'Live', 10_000);
    // The replayed history holds the requests the metrics test made through the edge.
    await eventually('an access line', async () => /edge +GET \/ → 200 in \d+ ms, \d+ B/.test(await page.getByTestId('site-log').innerText()), 20_000);
    assert.doesNotMatch(await page.getByTestId('site-log').innerText(), /edge +200 \d+ \d+ GET/);
    await screenshot(page, 'site-logs-live');
  });

  test('an operator suspends the site in the admin area and it answers 503', async () => {
    const op = await browser.newContext({ viewport: desktop, baseURL: dash.url });
    const p = await op.newPage();
    await p.goto('/login');
    await fillByLabel(p, { Email: api.operator.email, Password: api.operator.password });
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.waitForURL('**/sites');
    await p.goto(`/admin/sites?q=${site}`);
    await p.getByRole('button', { name: `Suspend ${site}` }).click();
    await p.getByText(`${site} suspended.`).waitFor();
    await eventually('the edge answering 503', async () => (await viaEdge(edgePort, host)).status === 503, 30_000);
    await op.close();
  });
});
