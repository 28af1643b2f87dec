// Per-site metrics end to end: requests through the edge (HAProxy in front of a real site
// container) reach GET /v1/sites/:site/metrics with exact counts, 5xx and a p95; the replica's
// memory is sampled; the route answers only the site's members and refuses unknown windows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { deployedSiteFixture, fetchVia, type DeployedSiteFixture } from '../deploy/support.js';
import { call, signup } from '../support/api.js';
import type { RouteTable, SiteRoute } from '../../src/edge/route-table.js';

const site = fileURLToPath(new URL('./fixtures/metrics-site', import.meta.url));
let f: DeployedSiteFixture;

type Point = { t: string; requests: number; errors: number; p95Ms: number | null; memoryBytes: number | null };

async function metrics(window?: string): Promise<{ status: number; body: { window: string; stepSeconds: number; points: Point[]; error?: { code: string; message: string } } }> {
  return call(f.app, f.token, 'GET', `/v1/sites/${f.site}/metrics${window ? `?window=${window}` : ''}`);
}

const total = (points: Point[], k: 'requests' | 'errors') => points.reduce((a, p) => a + p[k], 0);

/** What the edge counted so far, in the platform Redis (the edge does this every few seconds by itself). */
async function settle(): Promise<void> {
  // Access lines travel through a pipe: give them a moment to reach the edge.
  await new Promise((r) => setTimeout(r, 300));
  await f.edge.flush();
}

before(async () => {
  f = await deployedSiteFixture('metrics');
  const r = await f.push(site);
  if (r.status !== 'succeeded') throw new Error(`push failed: ${r.error}\n${r.log.slice(-20).join('\n')}`);
  await f.edge.sync();
});

after(async () => {
  await f?.close();
});

test('requests and 5xx answers through the edge show up in the site metrics with exact counts and a p95', async () => {
  await settle();
  const before = (await metrics()).body.points;
  const ok = 7;
  const failing = 3;
  for (let i = 0; i < ok; i++) assert.equal((await fetchVia(f.edgePort, f.host, `/?n=${i}`)).status, 200);
  for (let i = 0; i < failing; i++) assert.equal((await fetchVia(f.edgePort, f.host, '/boom/')).status, 500);
  await settle();
  const res = await metrics();
  assert.equal(res.status, 200);
  assert.equal(res.body.window, '1h');
  assert.equal(res.body.stepSeconds, 60);
  assert.equal(res.body.points.length, 60);
  assert.equal(total(res.body.points, 'requests') - total(before, 'requests'), ok + failing);
  assert.equal(total(res.body.points, 'errors') - total(before, 'errors'), failing);
  const busy = res.body.points.filter((p) => p.requests > 0);
  assert.ok(busy.length >= 1 && busy.length <= 2, 'the requests fall in the current minute (or the one before)');
  assert.ok(busy.every((p) => typeof p.p95Ms === 'number' && p.p95Ms > 0 && p.p95Ms < 10_000), JSON.stringify(busy));
  // Every request at this rate is also an access line in the site's logs.
  const logs = await call(f.app, f.token, 'GET', `/v1/sites/${f.site}/logs?lines=500`);
  const edge = (logs.body.lines as Array<{ source: string; line: string }>).filter((l) => l.source === 'edge').map((l) => l.line);
  // As people read them: "GET /?n=3 → 200 in 2 ms, 922 B".
  for (let i = 0; i < ok; i++) assert.ok(edge.some((l) => new RegExp(`^GET /\\?n=${i} → 200 in \\d+ ms, \\d+(\\.\\d)? (B|KiB)$`).test(l)), `no access line for /?n=${i}: ${edge.slice(-12).join(' | ')}`);
  assert.equal(edge.filter((l) => /^GET \/boom\/ → 500 in \d+ ms, /.test(l)).length, failing);
});

test('under a burst the counts stay exact while the access lines are a sample', async () => {
  await settle();
  const before = total((await metrics()).body.points, 'requests');
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const n = 1500;
  let next = 0;
  const get = () => new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: f.edgePort, path: '/?burst', headers: { host: f.host }, agent }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', reject);
    req.end();
  });
  const statuses: number[] = [];
  await Promise.all(Array.from({ length: 16 }, async () => { while (next++ < n) statuses.push(await get()); }));
  agent.destroy();
  assert.equal(statuses.filter((s) => s === 200).length, n);
  await settle();
  const points = (await metrics()).body.points;
  assert.equal(total(points, 'requests') - before, n, 'counts come from the data plane, not from the lines');
  const logs = await call(f.app, f.token, 'GET', `/v1/sites/${f.site}/logs?lines=2000`);
  const lines = (logs.body.lines as Array<{ source: string; line: string }>).filter((l) => l.source === 'edge' && l.line.startsWith('GET /?burst → 200 in ')).length;
  assert.ok(lines > 0 && lines < n, `${lines} access lines for ${n} requests: above ${50}/s the data plane logs a sample`);
  assert.ok(points.some((p) => p.requests > 0 && p.p95Ms !== null));
});

test('requests on both sides of HAProxy reloads are counted exactly once, with collects racing the reloads', async () => {
  await settle();
  const before = total((await metrics()).body.points, 'requests');
  let made = 0;
  const hit = async (k: number) => {
    for (let i = 0; i < k; i++) { assert.equal((await fetchVia(f.edgePort, f.host, '/?reload')).status, 200); made++; }
  };
  const table = (f.edge as unknown as { table: RouteTable }).table;
  const reloads = f.edge.haproxy.reloads;
  // Requests the old worker served since the last round go with it unless read before the reload.
  await hit(15);
  const extra: SiteRoute = { site: `extra${Date.now()}`, hosts: [`extra${Date.now()}.localhost`], state: 'serving', upstreams: [] };
  assert.equal(await f.edge.haproxy.apply({ sites: [...table.sites, extra] }), 'reload');
  await hit(15);
  // Rounds racing the next reload (back to the platform's table) must not count a worker twice.
  let racing = true;
  const racer = (async () => {
    while (racing) {
      await Promise.all([f.edge.collect(), f.edge.collect(), f.edge.collect()]);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  await f.edge.sync();
  await hit(15);
  racing = false;
  await racer;
  assert.equal(f.edge.haproxy.reloads, reloads + 2);
  await settle();
  assert.equal(total((await metrics()).body.points, 'requests') - before, made);
});

test('the memory of the running replica is sampled into the metrics', async () => {
  await f.edge.sampleMemory(true);
  const res = await metrics('6h');
  assert.equal(res.status, 200);
  assert.equal(res.body.stepSeconds, 300);
  assert.equal(res.body.points.length, 72);
  const mem = res.body.points.at(-1)!.memoryBytes;
  assert.ok(mem !== null && mem > 1e6 && mem < 512e6, `memory of the site now: ${mem}`);
  assert.equal(res.body.points[0]!.memoryBytes, null, 'no sample six hours ago');
  const day = await metrics('24h');
  assert.equal(day.body.points.length, 96);
  assert.equal(day.body.stepSeconds, 900);
});

test('a viewer of the organisation reads the site metrics; another organisation gets 404, an unknown window 400', async () => {
  const org = (await call(f.app, f.token, 'GET', '/v1/orgs')).body.organisations[0].name as string;
  const viewer = await signup(f.app, 'viewer');
  const inv = await call(f.app, f.token, 'POST', `/v1/orgs/${org}/invitations`, { email: viewer.email, role: 'viewer' });
  assert.equal(inv.status, 201, JSON.stringify(inv.body));
  const token = /token=(\S+)/.exec(f.platform.mailer.sent.findLast((m) => m.to === viewer.email)?.text ?? '')?.[1];
  assert.equal((await call(f.app, viewer.token, 'POST', '/v1/invitations/accept', { token })).status, 200);
  const seen = await call(f.app, viewer.token, 'GET', `/v1/sites/${f.site}/metrics?window=1h`);
  assert.equal(seen.status, 200);
  assert.equal(seen.body.points.length, 60);
  const stranger = await signup(f.app, 'stranger');
  const other = await call(f.app, stranger.token, 'GET', `/v1/sites/${f.site}/metrics`);
  assert.equal(other.status, 404);
  assert.equal(other.body.error.code, 'PDK_SITE_NOT_FOUND');
  assert.equal((await call(f.app, undefined, 'GET', `/v1/sites/${f.site}/metrics`)).status, 401);
  const bad = await metrics('7d');
  assert.equal(bad.status, 400);
  assert.equal(typeof bad.body.error?.code, 'string');
  assert.match(bad.body.error?.message ?? '', /window/);
  const doc = await f.app.inject({ method: 'GET', url: '/openapi.json' });
  assert.ok(doc.json().paths['/v1/sites/{site}/metrics']?.get, 'the route is in the OpenAPI document');
});
