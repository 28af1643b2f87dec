// Requests answered by the activator (the first ones to a sleeping site) bypass the site's backend
// in the data plane: they still count in the site's metrics (requests, 5xx, the wake's latency)
// and leave an access line in its logs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { sleepIdleSites } from '../../src/jobs/sleep.js';
import { openDb, type Db } from '../../src/store/db.js';
import type { RouteTable } from '../../src/edge/route-table.js';
import { deployedSiteFixture, fetchVia, type DeployedSiteFixture } from '../deploy/support.js';
import { call } from '../support/api.js';

const site = fileURLToPath(new URL('./fixtures/metrics-site', import.meta.url));
let f: DeployedSiteFixture;

type Point = { requests: number; errors: number; p95Ms: number | null };

async function points(): Promise<Point[]> {
  const res = await call(f.app, f.token, 'GET', `/v1/sites/${f.site}/metrics`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.points as Point[];
}

const total = (ps: Point[], k: 'requests' | 'errors') => ps.reduce((a, p) => a + p[k], 0);

async function edgeLines(): Promise<string[]> {
  const logs = await call(f.app, f.token, 'GET', `/v1/sites/${f.site}/logs?lines=500`);
  return (logs.body.lines as Array<{ source: string; line: string }>).filter((l) => l.source === 'edge').map((l) => l.line);
}

/** Pauses the site's replicas as the sleep job does for an idle site, and routes it to the activator. */
async function putToSleep(): Promise<void> {
  const quick = { ...f.deps, settings: { ...f.deps.settings, sleep: { ...f.deps.settings.sleep, free: { pauseAfterS: 1, stopAfterS: 3600 } } } };
  const r = await sleepIdleSites(quick, new Date(Date.now() + 5000));
  assert.ok(r.paused.includes(f.site), `paused: ${JSON.stringify(r)}`);
  await f.edge.sync();
}

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
  await f.edge.flush();
}

before(async () => {
  f = await deployedSiteFixture('wakem');
  const r = await f.push(site);
  if (r.status !== 'succeeded') throw new Error(`push failed: ${r.error}\n${r.log.slice(-20).join('\n')}`);
  await f.edge.sync();
});

after(async () => {
  await f?.close();
});

test('requests that wake a sleeping site count in its metrics, 5xx included, with their latency and an access line', async () => {
  await settle();
  const before = await points();

  await putToSleep();
  const wakes = f.edge.activator.wakes;
  assert.equal((await fetchVia(f.edgePort, f.host, '/?woke=1')).status, 200);
  assert.equal(f.edge.activator.wakes, wakes + 1, 'the request went through the activator');

  await putToSleep();
  assert.equal((await fetchVia(f.edgePort, f.host, '/boom/')).status, 500);
  assert.equal(f.edge.activator.wakes, wakes + 2);

  await settle();
  const after = await points();
  assert.equal(total(after, 'requests') - total(before, 'requests'), 2);
  assert.equal(total(after, 'errors') - total(before, 'errors'), 1);
  const busy = after.filter((p) => p.requests > 0);
  assert.ok(busy.some((p) => typeof p.p95Ms === 'number' && p.p95Ms > 0), `the wakes' latency is in the histogram: ${JSON.stringify(busy)}`);

  const lines = await edgeLines();
  assert.ok(lines.some((l) => /^GET \/\?woke=1 → 200 in \d+ ms, \d+(\.\d)? (B|KiB)$/.test(l)), `no access line for the woken request: ${lines.slice(-6).join(' | ')}`);
  assert.ok(lines.some((l) => /^GET \/boom\/ → 500 in \d+ ms, \d+(\.\d)? (B|KiB)$/.test(l)), `no access line for the failing one: ${lines.slice(-6).join(' | ')}`);
  const prom = await fetch(`http://${f.edge.adminAddress!.host}:${f.edge.adminAddress!.port}/metrics`).then((r) => r.text());
  assert.match(prom, new RegExp(`paddock_site_responses_5xx_total\\{site="${f.site}"\\} [1-9]`), 'the edge\'s own counters have them too');
});

test('the sleep sweep pauses a site whose last request time Postgres holds with microseconds', async () => {
  // Written by SQL, as now() writes it: a JavaScript Date read back drops the microseconds.
  await sql`update site_routes set last_request_at = now() - interval '10 minutes 0.000123 seconds'
    where site_id = (select id from sites where name = ${f.site})`.execute(f.platform.db);
  const r = await sleepIdleSites(f.deps);
  assert.deepEqual(r.paused, [f.site], `the idle site is paused: ${JSON.stringify(r)}`);
  await f.edge.sync();
  assert.equal((await fetchVia(f.edgePort, f.host, '/')).status, 200, 'and wakes on its next request');
});

test('with the platform database away, a sleeping site still wakes, and the edge routes it straight to its replicas itself', async () => {
  await putToSleep();
  const platform = f.platform as { db: Db };
  const db = platform.db;
  // Nothing listens on port 1: every query is refused, as by a stopped server.
  const down = openDb('postgres://nobody@127.0.0.1:1/none', { connectionTimeoutMs: 2000 });
  platform.db = down;
  try {
    const wakes = f.edge.activator.wakes;
    assert.equal((await fetchVia(f.edgePort, f.host, '/?outage=1')).status, 200);
    assert.equal(f.edge.activator.wakes, wakes + 1, 'woken through the activator');
    // The wake cannot be recorded: this edge routes the site to its replicas on its own.
    const table = () => (f.edge as unknown as { table: RouteTable }).table;
    const deadline = Date.now() + 10_000;
    while (table().sites.find((s) => s.site === f.site)?.state !== 'serving') {
      if (Date.now() > deadline) throw new Error(`the edge did not route the woken site itself: ${JSON.stringify(table())}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await f.edge.haproxy.apply(table());
    for (let i = 0; i < 5; i++) assert.equal((await fetchVia(f.edgePort, f.host, '/?outage=2')).status, 200);
    assert.equal(f.edge.activator.wakes, wakes + 1, 'the next requests skip the activator');
  } finally {
    platform.db = db;
    await down.destroy();
  }
  await f.edge.sync();
  assert.equal((await fetchVia(f.edgePort, f.host, '/')).status, 200, 'and it keeps answering once the routes are read again');
});
