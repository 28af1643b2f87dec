// Waits until a freshly started replica answers HTTP. node:http with a hard per-try timeout:
// a replica that is still booting may accept and then hold or drop the connection.
import { request } from 'node:http';

export interface ProbeResult {
  status: number;
  body: string;
}

/** One GET with a deadline; rejects on any network error or timeout. */
export function probe(url: string, timeoutMs = 1000, headers: Record<string, string> = {}): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: timeoutMs, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface WaitOptions {
  /** Give up after this long in all. */
  timeoutMs?: number;
  /** Pause between tries. */
  intervalMs?: number;
  /** Stop early (the container exited, say): return a reason to fail with. */
  abandon?: () => Promise<string | undefined>;
}

/** Polls until the URL answers 2xx/3xx; rejects with the last error once the time is up. */
export async function waitHealthy(url: string, opts: WaitOptions = {}): Promise<ProbeResult> {
  const { timeoutMs = 30_000, intervalMs = 20 } = opts;
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const r = await probe(url, Math.min(1000, Math.max(100, deadline - Date.now())));
      if (r.status >= 200 && r.status < 400) return r;
      last = `answered ${r.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (opts.abandon) {
      const why = await opts.abandon();
      if (why) throw new Error(`health check of ${url} abandoned: ${why}`);
    }
    if (Date.now() >= deadline) throw new Error(`health check of ${url} failed after ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
