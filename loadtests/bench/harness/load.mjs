// Constant background load with a per-request verdict: proves that something (a redeploy, an edge
// config switch, a wake-up) happens without a single failed request.
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const isOk = (status) => status >= 200 && status < 400;

/**
 * Starts `connections` keep-alive loops of GET requests against a loopback URL and returns at
 * once; `rate` caps the requests per second in all (light load for tests on a busy CI box). A request fails when it errors (refused, reset, timeout) or its status fails `expect`.
 * `handle.stop()` ends the loops (in-flight requests finish) and resolves with the report:
 *   { requests, ok, failed, failures: { 'ECONNRESET': n, 'status 502': n, ... },
 *     statuses: { 200: n }, bodies: { '<body>': n } (with countBodies), durationSec,
 *     requestsPerSec, maxLatencyMs, firstFailure }
 */
export function constantLoad(url, {
  connections = 8, headers = {}, expect = isOk, timeoutMs = 5000, countBodies = false, method = 'GET', rate,
} = {}) {
  const target = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    throw new Error(`constantLoad only loads loopback targets, not ${target.hostname}.`);
  }
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const report = {
    requests: 0, ok: 0, failed: 0, failures: {}, statuses: {}, bodies: countBodies ? {} : undefined,
    durationSec: 0, requestsPerSec: 0, maxLatencyMs: 0, firstFailure: undefined,
  };
  const fail = (reason) => {
    report.failed++;
    report.failures[reason] = (report.failures[reason] ?? 0) + 1;
    report.firstFailure ??= { reason, atMs: Date.now() - started };
  };
  let running = true;
  const started = Date.now();

  const once = () => new Promise((resolve) => {
    const t0 = performance.now();
    const req = request(target, { method, headers, agent, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => { if (countBodies) chunks.push(c); });
      res.on('end', () => {
        report.maxLatencyMs = Math.max(report.maxLatencyMs, performance.now() - t0);
        report.statuses[res.statusCode] = (report.statuses[res.statusCode] ?? 0) + 1;
        if (countBodies) {
          const body = Buffer.concat(chunks).toString('utf8').slice(0, 200);
          if (Object.keys(report.bodies).length < 50 || body in report.bodies) {
            report.bodies[body] = (report.bodies[body] ?? 0) + 1;
          }
        }
        if (expect(res.statusCode)) report.ok++;
        else fail(`status ${res.statusCode}`);
        resolve(true);
      });
      res.on('error', (err) => { fail(err.code ?? err.message); resolve(false); });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err) => { fail(err.code ?? err.message); resolve(false); });
    req.end();
  }).then((ok) => {
    report.requests++;
    return ok;
  });

  // With `rate` (requests per second in all), each loop keeps its own schedule; without, it goes
  // as fast as the target answers.
  const interval = rate ? (1000 * connections) / rate : 0;
  const loops = Array.from({ length: connections }, async (_, i) => {
    let next = performance.now() + (interval * i) / connections;
    while (running) {
      if (interval) {
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
        if (!running) break;
        next = Math.max(next + interval, performance.now() - interval);
      }
      // A failing target answers instantly; a short pause keeps the loop from spinning a core.
      if (!(await once())) await sleep(2);
    }
  });

  let stopped;
  return {
    /** The report so far (a live object: read it, don't keep it). */
    get report() { return report; },
    /** Resolves once `n` requests have succeeded (use it to warm up before the event). */
    async ready(n = 1, { timeoutMs: waitMs = 10_000 } = {}) {
      const deadline = Date.now() + waitMs;
      while (report.ok < n) {
        if (Date.now() > deadline) throw new Error(`constantLoad: fewer than ${n} requests to ${url} succeeded within ${waitMs} ms (${JSON.stringify(report.failures)}).`);
        await sleep(5);
      }
    },
    stop() {
      stopped ??= (async () => {
        running = false;
        await Promise.all(loops);
        agent.destroy();
        report.durationSec = (Date.now() - started) / 1000;
        report.requestsPerSec = report.requests / report.durationSec;
        return report;
      })();
      return stopped;
    },
  };
}

/**
 * Runs `fn` while constant load hits `url`: waits for the first successful request, awaits
 * `fn()`, keeps the load on for `afterMs` more, then stops. Resolves with { report, result }.
 */
export async function underLoad(url, options, fn, { afterMs = 200 } = {}) {
  const load = constantLoad(url, options);
  try {
    await load.ready(1);
    const result = await fn(load);
    await sleep(afterMs);
    return { report: await load.stop(), result };
  } finally {
    await load.stop();
  }
}
