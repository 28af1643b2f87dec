// The activator: the data plane sends it requests for sites that sleep. It wakes the site through
// the given waker (coalescing concurrent requests into one wake), holds each request until the
// site is healthy, then forwards it and streams the answer back. Afterwards the edge routes the
// site's host straight to its replicas again, so only the first requests pay for the wake.
// These requests never reach the site's backend in the data plane, so the activator reports each
// one it answered for a site (`onAnswered`), for the site's metrics and access log.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessEntry } from './access-line.js';
import { notFoundPage, suspendedPage, wakeFailedPage } from './pages.js';
import { normaliseHost, type SiteRoute, type Upstream } from './route-table.js';

export interface ActivatorOptions {
  /** The current route of a host, if any. */
  route(host: string): SiteRoute | undefined;
  /** Wakes the site and resolves with healthy upstreams; called once per site at a time. */
  wake(site: string): Promise<Upstream[]>;
  /** How long a request may wait for its site to wake. */
  holdMs?: number;
  onError?: (site: string, err: Error) => void;
  /** Once per request answered for a site (woken, or failing to wake), when its answer ended. */
  onAnswered?: (site: string, answer: ActivatorAnswer) => void;
}

/** One request the activator answered for a site (its time includes the wake), as the data plane's access lines describe theirs. */
export type ActivatorAnswer = AccessEntry;

/** Body bytes sent per answer, for its access line. */
const sentBytes = new WeakMap<ServerResponse, number>();

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export class Activator {
  private server: Server | undefined;
  private waking = new Map<string, Promise<Upstream[]>>();
  private rr = 0;
  wakes = 0;

  constructor(private readonly opts: ActivatorOptions) {}

  async listen(port = 0, host = '127.0.0.1'): Promise<Upstream> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return { host, port: (server.address() as AddressInfo).port };
  }

  /** Wakes a site now (also used by the edge for a site that must not wait for its first visitor). */
  wakeSite(site: string): Promise<Upstream[]> {
    let pending = this.waking.get(site);
    if (!pending) {
      this.wakes++;
      pending = this.opts.wake(site).finally(() => this.waking.delete(site));
      this.waking.set(site, pending);
    }
    return pending;
  }

  private page(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'retry-after': status === 503 ? '5' : '0' });
    sentBytes.set(res, Buffer.byteLength(body));
    res.end(body);
  }

  /** Reports the request to `onAnswered` once its answer is over (sent whole, or cut). */
  private report(site: string, req: IncomingMessage, res: ServerResponse, t0: number): void {
    const onAnswered = this.opts.onAnswered;
    if (!onAnswered) return;
    res.once('close', () => {
      try {
        onAnswered(site, {
          status: res.headersSent ? res.statusCode : -1,
          ms: Math.round(performance.now() - t0),
          bytes: sentBytes.get(res) ?? 0,
          method: req.method ?? 'GET',
          path: req.url ?? '/',
        });
      } catch (err) {
        this.opts.onError?.(site, err as Error);
      }
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = performance.now();
    const route = this.opts.route(normaliseHost(req.headers.host));
    if (!route) return this.page(res, 404, notFoundPage);
    if (route.state === 'suspended') return this.page(res, 503, suspendedPage);
    this.report(route.site, req, res, t0);
    let upstreams: Upstream[];
    try {
      const hold = this.opts.holdMs ?? 30_000;
      upstreams = await Promise.race([
        this.wakeSite(route.site),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not awake within ${hold} ms`)), hold).unref()),
      ]);
      if (upstreams.length === 0) throw new Error('no replica came up');
    } catch (err) {
      this.opts.onError?.(route.site, err as Error);
      return this.page(res, 503, wakeFailedPage);
    }
    const target = upstreams[this.rr++ % upstreams.length]!;
    this.forward(req, res, target);
  }

  private forward(req: IncomingMessage, res: ServerResponse, target: Upstream): void {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    const upstream = httpRequest({ host: target.host, port: target.port, method: req.method, path: req.url, headers, agent: false }, (up) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
      res.writeHead(up.statusCode ?? 502, out);
      up.on('data', (chunk: Buffer) => sentBytes.set(res, (sentBytes.get(res) ?? 0) + chunk.length));
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) this.page(res, 502, wakeFailedPage);
      else res.destroy();
    });
    req.pipe(upstream);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
