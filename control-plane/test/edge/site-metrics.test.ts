import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { LATENCY_BUCKETS_MS, quantileMs, SiteMetricsRecorder, SiteMetricsStore } from '../../src/metrics/site-metrics.js';
import { suffix } from '../support/platform.js';

const redis = new Redis(process.env.PADDOCK_REDIS_URL ?? 'redis://127.0.0.1:6379');
const ns = `pdktest:metrics:${suffix()}`;
const store = new SiteMetricsStore(redis, ns);
const MIN = 60_000;
// A fixed clock: 2026-11-24T01:00:00Z plus 30 s, in the middle of a minute, a 5- and a 15-minute step.
const now = Date.parse('2026-11-24T01:00:30.000Z');

after(async () => {
  const keys = await redis.keys(`${ns}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

test('p95 is interpolated inside the bucket that holds the 95th percentile', () => {
  const buckets = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  buckets[0] = 90; // (0, 1] ms
  buckets[3] = 10; // (5, 10] ms: ranks 91..100, the 95th is half way in
  assert.equal(quantileMs(buckets, 0.95), 7.5);
  assert.equal(quantileMs(buckets, 0.5), 0.56);
  assert.equal(quantileMs(new Array<number>(14).fill(0), 0.95), null, 'no requests: no percentile');
  const slow = new Array<number>(14).fill(0);
  slow[13] = 5; // slower than the last bound: the bound is all we know
  assert.equal(quantileMs(slow, 0.95), 10_000);
});

test('two edges counting the same site-minute add up, and p95 comes from the merged histogram', async () => {
  const site = `site-${suffix()}`;
  const a = new SiteMetricsRecorder(store);
  const b = new SiteMetricsRecorder(store);
  for (let i = 0; i < 90; i++) a.record(site, 200, 1, now);
  for (let i = 0; i < 8; i++) b.record(site, 200, 7, now);
  b.record(site, 502, 8, now);
  b.record(site, 503, -1, now); // an aborted request: HAProxy writes -1
  await Promise.all([a.flush(), b.flush()]);
  await a.flush(); // nothing pending: nothing added twice
  const { points } = await store.series(site, '1h', now);
  const last = points.at(-1)!;
  assert.equal(last.t, '2026-11-24T01:00:00.000Z');
  assert.equal(last.requests, 100);
  assert.equal(last.errors, 2);
  // 91 requests ≤ 1 ms, 9 in (5, 10]: the 95th of 100 is the 4th of those 9 (5 + 5 × 4/9).
  assert.equal(last.p95Ms, 7.22);
  const ttl = await redis.ttl(store.key(site, Math.floor(now / MIN)));
  assert.ok(ttl > 24 * 3600 && ttl <= 25 * 3600, `a site-minute expires after about a day (ttl ${ttl})`);
});

test('each window has its number of steps, oldest first, the last one now; gaps are zeros and nulls', async () => {
  const site = `site-${suffix()}`;
  const r = new SiteMetricsRecorder(store);
  r.record(site, 200, 3, now - 3 * MIN); // 00:57:30
  r.record(site, 200, 3, now - 7 * MIN); // 00:53:30
  r.record(site, 200, 3, now - 23 * 3600 * 1000); // yesterday 02:00:30
  r.record(site, 200, 3, now - 25 * 3600 * 1000 - 16 * MIN); // older than any window
  await r.flush();
  const expected = { '1h': [60, 60], '6h': [72, 300], '24h': [96, 900] } as const;
  for (const [window, [count, step]] of Object.entries(expected) as Array<[keyof typeof expected, readonly [number, number]]>) {
    const s = await store.series(site, window, now);
    assert.equal(s.window, window);
    assert.equal(s.stepSeconds, step);
    assert.equal(s.points.length, count);
    const times = s.points.map((p) => Date.parse(p.t));
    assert.ok(times.every((t, i) => i === 0 || t - times[i - 1]! === step * 1000), `${window}: steps of ${step} s`);
    assert.ok(times.at(-1)! <= now && now < times.at(-1)! + step * 1000, `${window}: the last step holds now`);
    assert.ok(s.points.every((p) => p.requests >= 0 && (p.requests > 0 || (p.p95Ms === null && p.errors === 0))));
    assert.ok(s.points.every((p) => p.memoryBytes === null));
  }
  const h1 = await store.series(site, '1h', now);
  assert.deepEqual(h1.points.filter((p) => p.requests).map((p) => [p.t, p.requests, p.p95Ms]), [
    ['2026-11-24T00:53:00.000Z', 1, 4.85], ['2026-11-24T00:57:00.000Z', 1, 4.85],
  ]);
  const h6 = await store.series(site, '6h', now);
  assert.deepEqual(h6.points.filter((p) => p.requests).map((p) => [p.t, p.requests]), [
    ['2026-11-24T00:50:00.000Z', 1], ['2026-11-24T00:55:00.000Z', 1],
  ]);
  const d1 = await store.series(site, '24h', now);
  assert.deepEqual(d1.points.filter((p) => p.requests).map((p) => [p.t, p.requests]), [
    ['2026-11-23T02:00:00.000Z', 1], ['2026-11-24T00:45:00.000Z', 2],
  ]);
  assert.equal(d1.points[0]!.t, '2026-11-23T01:15:00.000Z');
});

test('memory keeps the largest sample of a minute and of a step; one sampler claims each interval', async () => {
  const site = `site-${suffix()}`;
  await store.setMemory([{ siteId: site, bytes: 40e6 }], now - 2 * MIN);
  await store.setMemory([{ siteId: site, bytes: 50e6 }], now);
  await store.setMemory([{ siteId: site, bytes: 45e6 }], now + 10_000);
  const h1 = await store.series(site, '1h', now + 10_000);
  assert.equal(h1.points.at(-1)!.memoryBytes, 50e6);
  assert.equal(h1.points.at(-3)!.memoryBytes, 40e6);
  assert.equal(h1.points.at(-2)!.memoryBytes, null);
  assert.equal((await store.series(site, '6h', now)).points.at(-1)!.memoryBytes, 50e6);
  const claims = await Promise.all([store.claimSampler('edge-a', 1000), store.claimSampler('edge-b', 1000)]);
  assert.deepEqual(claims.sort(), [false, true]);
});
