// Per-site time series for the dashboard's charts: requests, 5xx answers and a latency histogram
// per site and minute (counted by the edges: counts from the data plane's counters, the histogram
// from access lines, weighted when the data plane sampled them), and the memory of the site's
// replicas (sampled by one edge per platform). Kept in the platform Redis as one small hash
// per site-minute that expires after a day: several edges add to the same hash (HINCRBY), so
// nothing is overwritten, and any API server reads them. Percentiles are computed when read, from
// the merged histogram buckets.
import type { Redis } from 'ioredis';

/** Upper bounds (ms) of the latency buckets; one more bucket holds everything slower. */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000] as const;
const BUCKETS = LATENCY_BUCKETS_MS.length + 1;

/** A day of history plus the oldest step of the longest window. */
const TTL_SECONDS = 25 * 3600;
const MINUTE_MS = 60_000;

export const METRICS_WINDOWS = {
  '1h': { points: 60, stepSeconds: 60 },
  '6h': { points: 72, stepSeconds: 300 },
  '24h': { points: 96, stepSeconds: 900 },
} as const;
export type MetricsWindow = keyof typeof METRICS_WINDOWS;

export interface MetricsPoint {
  /** Start of the step. */
  t: string;
  requests: number;
  errors: number;
  p95Ms: number | null;
  memoryBytes: number | null;
}

export interface SiteSeries {
  window: MetricsWindow;
  stepSeconds: number;
  points: MetricsPoint[];
}

interface Tally {
  siteId: string;
  minute: number;
  requests: number;
  errors: number;
  buckets: number[];
}

export function bucketOf(ms: number): number {
  for (let i = 0; i < LATENCY_BUCKETS_MS.length; i++) if (ms <= LATENCY_BUCKETS_MS[i]!) return i;
  return LATENCY_BUCKETS_MS.length;
}

/**
 * The q-quantile of a histogram (counts per bucket, not cumulative), interpolated linearly inside
 * its bucket as Prometheus does; the open last bucket answers its lower bound. Null when empty.
 */
export function quantileMs(buckets: readonly number[], q: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < buckets.length; i++) {
    const count = buckets[i] ?? 0;
    if (count > 0 && below + count >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1]!;
      const upper = LATENCY_BUCKETS_MS[i];
      if (upper === undefined) return lower;
      return Math.round((lower + (upper - lower) * ((rank - below) / count)) * 100) / 100;
    }
    below += count;
  }
  return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1]!;
}

export class SiteMetricsStore {
  constructor(private readonly redis: Redis, private readonly namespace = 'paddock') {}

  key(siteId: string, minute: number): string {
    return `${this.namespace}:metrics:site:${siteId}:${minute}`;
  }

  /** Adds counts to the site-minutes (safe from several edges at once). */
  async add(tallies: Iterable<Tally>): Promise<void> {
    const p = this.redis.pipeline();
    let n = 0;
    for (const t of tallies) {
      const key = this.key(t.siteId, t.minute);
      if (t.requests) p.hincrby(key, 'req', t.requests);
      if (t.errors) p.hincrby(key, 'err', t.errors);
      t.buckets.forEach((c, i) => { if (c) p.hincrby(key, `b${i}`, c); });
      p.expire(key, TTL_SECONDS);
      n++;
    }
    if (n) await p.exec();
  }

  /** The memory of a site's running replicas (summed) at `at`; a minute keeps its largest sample. */
  async setMemory(samples: Array<{ siteId: string; bytes: number }>, at = Date.now()): Promise<void> {
    if (samples.length === 0) return;
    const minute = Math.floor(at / MINUTE_MS);
    const p = this.redis.pipeline();
    for (const s of samples) {
      const key = this.key(s.siteId, minute);
      // Largest of the minute: HSET only when larger, in one step (no read-then-write race).
      p.eval(MAX_FIELD, 1, key, 'mem', String(Math.round(s.bytes)), String(TTL_SECONDS));
    }
    await p.exec();
  }

  /**
   * True for the one caller per interval that should sample memory (several edges may run: one
   * samples, the others skip).
   */
  async claimSampler(owner: string, intervalMs: number): Promise<boolean> {
    const ok = await this.redis.set(`${this.namespace}:metrics:memory-sampler`, owner, 'PX', Math.max(1, intervalMs - 250), 'NX');
    return ok === 'OK';
  }

  /** The window's points, oldest first; the last one is the current (partial) step. */
  async series(siteId: string, window: MetricsWindow, now = Date.now()): Promise<SiteSeries> {
    const { points, stepSeconds } = METRICS_WINDOWS[window];
    const stepMs = stepSeconds * 1000;
    const lastStart = Math.floor(now / stepMs) * stepMs;
    const firstStart = lastStart - (points - 1) * stepMs;
    const firstMinute = firstStart / MINUTE_MS;
    const lastMinute = Math.floor(now / MINUTE_MS);
    const p = this.redis.pipeline();
    for (let m = firstMinute; m <= lastMinute; m++) p.hgetall(this.key(siteId, m));
    const rows = (await p.exec()) ?? [];
    const steps = Array.from({ length: points }, (_, i) => ({
      t: firstStart + i * stepMs, requests: 0, errors: 0, buckets: new Array<number>(BUCKETS).fill(0), memory: null as number | null,
    }));
    rows.forEach(([err, value], i) => {
      if (err) throw err;
      const h = value as Record<string, string>;
      const step = steps[Math.floor(((firstMinute + i) * MINUTE_MS - firstStart) / stepMs)];
      if (!step) return;
      step.requests += Number(h.req ?? 0);
      step.errors += Number(h.err ?? 0);
      for (let b = 0; b < BUCKETS; b++) step.buckets[b]! += Number(h[`b${b}`] ?? 0);
      if (h.mem !== undefined) step.memory = Math.max(step.memory ?? 0, Number(h.mem));
    });
    return {
      window, stepSeconds,
      points: steps.map((s) => ({
        t: new Date(s.t).toISOString(), requests: s.requests, errors: s.errors, p95Ms: quantileMs(s.buckets, 0.95), memoryBytes: s.memory,
      })),
    };
  }
}

const MAX_FIELD = `
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) > cur then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1`;

/**
 * What one edge counted since its last flush, per site and minute. It is called for every access
 * line, so it only adds numbers; `flush` hands the tallies to the store every few seconds.
 */
export class SiteMetricsRecorder {
  private pending = new Map<string, Tally>();

  constructor(private readonly store: SiteMetricsStore) {}

  private tally(siteId: string, at: number): Tally {
    const minute = Math.floor(at / MINUTE_MS);
    const k = `${siteId} ${minute}`;
    let t = this.pending.get(k);
    if (!t) this.pending.set(k, (t = { siteId, minute, requests: 0, errors: 0, buckets: new Array<number>(BUCKETS).fill(0) }));
    return t;
  }

  /** Requests and 5xx answers served since the last count. */
  count(siteId: string, requests: number, errors: number, at = Date.now()): void {
    if (requests <= 0 && errors <= 0) return;
    const t = this.tally(siteId, at);
    t.requests += Math.max(0, requests);
    t.errors += Math.max(0, errors);
  }

  /** One request's total time; `weight` requests when it stands for a sample of 1 in `weight`. */
  latency(siteId: string, ms: number, weight = 1, at = Date.now()): void {
    // HAProxy writes -1 for a time it could not measure (an aborted request): count it as fast.
    this.tally(siteId, at).buckets[bucketOf(ms > 0 ? ms : 0)]! += weight;
  }

  /** A whole request: counted and timed (what an edge does when it logs every request). */
  record(siteId: string, status: number, ms: number, at = Date.now()): void {
    this.count(siteId, 1, status >= 500 ? 1 : 0, at);
    this.latency(siteId, ms, 1, at);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    await this.store.add(batch.values());
  }
}

const stores = new WeakMap<Redis, Map<string, SiteMetricsStore>>();

/** The store of a platform Redis and namespace (one per process). */
export function siteMetricsStore(redis: Redis, namespace: string): SiteMetricsStore {
  let byNs = stores.get(redis);
  if (!byNs) stores.set(redis, (byNs = new Map()));
  let s = byNs.get(namespace);
  if (!s) byNs.set(namespace, (s = new SiteMetricsStore(redis, namespace)));
  return s;
}
