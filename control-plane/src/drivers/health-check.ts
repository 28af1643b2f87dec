// Waits until a freshly started replica answers HTTP (or, for a woken one, listens). node:http with a hard per-try timeout:
// a replica that is still booting may accept and then hold or drop the connection.
import { request } from 'node:http';
import { connect } from 'node:net';

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

/**
 * Polls until something accepts TCP connections at the address: for a replica of a release that
 * already passed its health check (a woken one), listening means ready, since the runtime binds
 * its port only once the site is loaded. Cheaper than an HTTP probe: the first real request is
 * then the first one the freshly booted process serves.
 */
export async function waitListening(
  address: { host: string; port: number },
  opts: WaitOptions & { abandonEveryMs?: number } = {},
): Promise<void> {
  const { timeoutMs = 30_000, intervalMs = 5, abandonEveryMs = 250 } = opts;
  const deadline = Date.now() + timeoutMs;
  let nextAbandonCheck = Date.now() + abandonEveryMs;
  let last: string;
  for (;;) {
    const error = await new Promise<string | undefined>((resolve) => {
      const socket = connect({ host: address.host, port: address.port, timeout: Math.min(1000, Math.max(50, deadline - Date.now())) });
      socket.once('connect', () => { socket.destroy(); resolve(undefined); });
      socket.once('timeout', () => { socket.destroy(); resolve('connect timed out'); });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    if (error === undefined) return;
    last = error;
    if (opts.abandon && Date.now() >= nextAbandonCheck) {
      nextAbandonCheck = Date.now() + abandonEveryMs;
      const why = await opts.abandon();
      if (why) throw new Error(`${address.host}:${address.port} never listened: ${why}`);
    }
    if (Date.now() >= deadline) throw new Error(`nothing listened at ${address.host}:${address.port} within ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
