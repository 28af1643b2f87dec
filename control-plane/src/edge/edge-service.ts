// The `edge` process: runs the data plane (HAProxy) and the activator, keeps HAProxy's routes in
// step with the platform database (on every change signal, and every few seconds regardless),
// wakes sleeping sites, records per-site request counts, latency and last activity, and turns
// HAProxy's access lines (and the activator's answers, which bypass the site's backend) into site
// log lines and per-site metrics (requests, 5xx, a latency histogram per minute; memory of the
// replicas, sampled by one edge of the platform). Several
// edges may run; each acknowledges the route generation it applied, so a deploy drains old
// replicas only once every edge moved on.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeployRuntime } from '../platform/deploy-runtime.js';
import { startForWake } from '../drivers/wake.js';
import { siteMetricsStore, SiteMetricsRecorder, type SiteMetricsStore } from '../metrics/site-metrics.js';
import { ACCESS_LINES_PER_SECOND } from './haproxy-config.js';
import { Activator, type ActivatorAnswer } from './activator.js';
import { formatAccess, type AccessEntry } from './access-line.js';
import { HaproxyEdge } from './haproxy.js';
import { EdgeTls, type EdgeTlsOptions } from '../edge/edge-tls.js';
import { backendName, normaliseHost, type RouteTable, type SiteRoute, type Upstream } from './route-table.js';

export interface EdgeServiceOptions {
  dir: string;
  port: number;
  bind?: string;
  /** Port of /healthz and /metrics (0: any free port). */
  adminPort?: number;
  edgeId?: string;
  /** How often routes are re-read even without a signal. */
  resyncMs?: number;
  statsMs?: number;
  /** How often the per-site metrics counted here go to the platform Redis. */
  metricsFlushMs?: number;
  /** How often the memory of running replicas is sampled (by one edge of the platform). */
  memorySampleMs?: number;
  registry?: Registry;
  /** HTTPS on its own port, with the platform database's certificates (certificates/edge-tls.ts). */
  tls?: EdgeTlsOptions;
}

/** Access lines kept per site per flush (every 500 ms), should the data plane's sampling let more through. */
const LOG_LINES_PER_FLUSH = 200;

export class EdgeService {
  readonly id: string;
  haproxy!: HaproxyEdge;
  /** HTTPS, when the edge serves it. */
  tls: EdgeTls | undefined;
  readonly activator: Activator;
  readonly registry: Registry;
  private table: RouteTable = { sites: [] };
  private siteIds = new Map<string, string>(); // site name → id
  private backendIds = new Map<string, string>(); // data-plane backend → site id
  private subscriber: Redis | undefined;
  private timers: NodeJS.Timeout[] = [];
  private admin: Server | undefined;
  private lastCounts = new Map<string, number>();
  private lastErrors = new Map<string, number>();
  /** The HAProxy worker whose counters lastCounts holds, and the ones reloads replaced. */
  private countedWorker: string | undefined;
  private retiredWorkers: string[] = [];
  private collecting: Promise<void> | undefined;
  private collectNext: Promise<void> | undefined;
  private pendingLogs = new Map<string, string[]>();
  private skippedLogs = new Map<string, number>();
  readonly siteMetrics: SiteMetricsStore;
  private readonly recorder: SiteMetricsRecorder;
  private syncing: Promise<void> | undefined;
  private syncAgain = false;
  private stopping = false;
  private readonly metrics;
  adminAddress: Upstream | undefined;

  constructor(private readonly deps: DeployRuntime, private readonly opts: EdgeServiceOptions) {
    this.id = opts.edgeId ?? `edge-${randomBytes(4).toString('hex')}`;
    this.registry = opts.registry ?? new Registry();
    const r = [this.registry];
    this.metrics = {
      requests: new Counter({ name: 'paddock_site_requests_total', help: 'Requests the edge served per site', labelNames: ['site'], registers: r }),
      errors: new Counter({ name: 'paddock_site_responses_5xx_total', help: '5xx answers per site', labelNames: ['site'], registers: r }),
      latency: new Gauge({ name: 'paddock_site_response_time_ms', help: 'Average total time of the last 1024 requests per site (HAProxy ttime)', labelNames: ['site'], registers: r }),
      wakes: new Counter({ name: 'paddock_site_wakes_total', help: 'Sleeping sites woken by a request', labelNames: ['from'], registers: r }),
      wakeSeconds: new Histogram({ name: 'paddock_site_wake_seconds', help: 'Time to wake a site', labelNames: ['from'], buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: r }),
      reloads: new Gauge({ name: 'paddock_edge_reloads', help: 'Data plane reloads since start', registers: r, collect: () => undefined }),
      restarts: new Counter({ name: 'paddock_edge_haproxy_restarts_total', help: 'Times HAProxy died and the edge started it again from its last config', registers: r }),
    };
    // The same namespace as the edge signal and the logs, where the API reads them back.
    this.siteMetrics = siteMetricsStore((deps.platform as unknown as { redis: Redis }).redis, deps.edge.namespace);
    this.recorder = new SiteMetricsRecorder(this.siteMetrics);
    this.activator = new Activator({
      route: (host) => this.routeOf(host),
      wake: (site) => this.wake(site),
      onError: (site, err) => deps.platform.logger.warn({ site, err }, 'wake failed'),
      onAnswered: (site, a) => this.activatorAnswered(site, a),
    });
  }

  private routeOf(host: string): SiteRoute | undefined {
    const h = normaliseHost(host);
    return this.table.sites.find((s) => s.hosts.includes(h));
  }

  /** Reads the route table from the platform database. */
  async readTable(): Promise<RouteTable> {
    const db = this.deps.platform.db;
    const rows = await db.selectFrom('sites').leftJoin('site_routes', 'site_routes.site_id', 'sites.id')
      .select(['sites.id', 'sites.name', 'sites.status', 'site_routes.state', 'site_routes.upstreams'])
      .where('sites.status', 'in', ['ready', 'suspended']).execute();
    const domains = await db.selectFrom('site_domains').select(['host', 'site_id']).where('verified_at', 'is not', null).execute();
    const domain = this.deps.platform.config.siteDomain;
    this.siteIds = new Map(rows.map((r) => [r.name, r.id]));
    this.backendIds = new Map(rows.map((r) => [backendName(r.name), r.id]));
    return {
      sites: rows.filter((r) => r.state || r.status === 'suspended').map((r) => ({
        site: r.name,
        hosts: [`${r.name}.${domain}`, ...domains.filter((d) => d.site_id === r.id).map((d) => d.host)],
        state: r.status === 'suspended' ? 'suspended' : r.state === 'serving' ? 'serving' : 'sleeping',
        upstreams: (r.upstreams as unknown as Upstream[] | null) ?? [],
        ...(r.state === 'paused' || r.state === 'stopped' ? { asleep: r.state } : {}),
      })),
    };
  }

  /** Applies the current routes; concurrent calls collapse into one more pass. */
  sync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.syncAgain = false;
        const gen = await this.deps.edge.generation();
        this.table = await this.readTable();
        await this.haproxy.apply(this.table);
        // A certificate that fails to apply must not hold routes back: it is tried again next sync.
        await this.tls?.sync(this.table, this.haproxy).catch((err: unknown) => this.deps.platform.logger.error({ err }, 'edge certificates could not be applied'));
        await this.deps.edge.applied(this.id, gen);
      } while (this.syncAgain);
    })().finally(() => { this.syncing = undefined; });
    return this.syncing;
  }

  async start(): Promise<void> {
    const activator = await this.activator.listen();
    this.tls = this.opts.tls ? new EdgeTls(this.deps.platform, this.opts.dir, this.opts.tls, this.registry) : undefined;
    this.haproxy = new HaproxyEdge(
      { dir: this.opts.dir, bind: this.opts.bind ?? '0.0.0.0', port: this.opts.port, activator, ...(this.tls ? { tls: this.tls.layout } : {}) },
      {
        onLog: (l) => this.accessLine(l),
        onExit: (code, signal) => this.deps.platform.logger.error({ code, signal }, 'HAProxy exited; starting it again from its last config'),
        onRestart: (ms) => {
          this.metrics.restarts.inc();
          this.deps.platform.logger.warn({ ms, restarts: this.haproxy.restarts }, 'HAProxy runs again, from its last config');
        },
        onRestartFailed: (err, retryMs) => this.deps.platform.logger.error({ err, retryMs }, 'HAProxy did not start again; retrying'),
        // The old worker's counters go with it: what it counted since the last round is read first.
        beforeReload: () => this.collect(),
      },
    );
    this.table = await this.readTable();
    await this.tls?.prepare(this.table);
    await this.haproxy.start(this.table);
    await this.deps.edge.applied(this.id, await this.deps.edge.generation());
    await this.deps.edge.heartbeat(this.id);
    // Route changes are announced on a pub/sub channel. Messages sent while the subscriber was
    // away (Redis restarting) are lost: on every reconnect the routes are read again.
    const sub = (this.deps.platform as unknown as { redis: Redis }).redis.duplicate();
    this.subscriber = sub;
    const resync = () => void this.sync().catch((err: unknown) => this.deps.platform.logger.error({ err }, 'edge sync failed'));
    sub.on('error', (err: Error) => this.deps.platform.logger.debug({ err }, 'edge subscriber: platform redis error'));
    await sub.subscribe(this.deps.edge.channel);
    sub.on('message', resync);
    sub.on('ready', () => { if (!this.stopping) resync(); });
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => void fn().catch((err: unknown) => this.deps.platform.logger.warn({ err }, 'edge task failed')), ms);
      this.timers.push(t);
    };
    every(3000, () => this.deps.edge.heartbeat(this.id));
    every(this.opts.resyncMs ?? 10_000, () => this.sync());
    every(this.opts.statsMs ?? 2000, () => this.collect());
    every(500, () => this.flushLogs());
    every(this.opts.metricsFlushMs ?? 5000, () => this.recorder.flush());
    every(this.opts.memorySampleMs ?? 15_000, () => this.sampleMemory());
    this.admin = createServer((req, res) => {
      if (req.url === '/healthz') return void res.end('ok');
      if (req.url === '/metrics') {
        void this.collect().catch(() => undefined).then(() => this.registry.metrics()).then((m) => {
          res.setHeader('content-type', this.registry.contentType);
          res.end(m);
        });
        return;
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => this.admin!.listen(this.opts.adminPort ?? 0, '127.0.0.1', () => r()));
    this.adminAddress = { host: '127.0.0.1', port: (this.admin.address() as AddressInfo).port };
  }

  /**
   * Per-site counters from the data plane into the metrics, and activity into site_routes. One
   * round at a time: callers during a round wait for one more that starts after it (so what they
   * ask for is counted), and rounds never read the same counters twice.
   */
  collect(): Promise<void> {
    if (this.collectNext) return this.collectNext;
    if (this.collecting) {
      this.collectNext = this.collecting.catch(() => undefined).then(() => {
        this.collectNext = undefined;
        return this.collect();
      });
      return this.collectNext;
    }
    this.collecting = this.collectRound().finally(() => { this.collecting = undefined; });
    return this.collecting;
  }

  private async collectRound(): Promise<void> {
    const { worker, backends: stats } = await this.haproxy.workerStats();
    // A worker a reload replaced may still answer while it drains: what it counted up to the
    // reload was read just before it (beforeReload); counting it again would double it.
    if (worker && this.retiredWorkers.includes(worker)) return;
    const byBackend = new Map(stats.map((x) => [x.backend, x]));
    // A new worker's counters start again from zero.
    const reloaded = worker !== undefined && this.countedWorker !== undefined && worker !== this.countedWorker;
    if (reloaded) this.retiredWorkers = [...this.retiredWorkers.slice(-15), this.countedWorker!];
    if (worker) this.countedWorker = worker;
    const active: string[] = [];
    for (const s of this.table.sites) {
      const row = byBackend.get(backendName(s.site));
      if (!row) continue;
      const before = reloaded ? 0 : this.lastCounts.get(s.site) ?? 0;
      const delta = row.requests >= before ? row.requests - before : row.requests;
      this.lastCounts.set(s.site, row.requests);
      const errorsBefore = reloaded ? 0 : this.lastErrors.get(s.site) ?? 0;
      const errors = row.errors5xx >= errorsBefore ? row.errors5xx - errorsBefore : row.errors5xx;
      this.lastErrors.set(s.site, row.errors5xx);
      if (delta > 0) {
        this.metrics.requests.inc({ site: s.site }, delta);
        active.push(s.site);
      }
      if (errors > 0) this.metrics.errors.inc({ site: s.site }, errors);
      const id = this.siteIds.get(s.site);
      if (id) this.recorder.count(id, delta, errors);
      this.metrics.latency.set({ site: s.site }, row.totalMs);
    }
    this.metrics.reloads.set(this.haproxy.reloads);
    const ids = active.map((n) => this.siteIds.get(n)).filter((x): x is string => Boolean(x));
    if (ids.length) {
      await this.deps.platform.db.updateTable('site_routes').set({ last_request_at: new Date() }).where('site_id', 'in', ids).execute();
    }
  }

  /**
   * One access line: "<backend> <rate> <status> <total ms> <bytes> <method> <path>", where rate is
   * the backend's requests per second when the data plane logged only a sample. Its time goes into
   * the latency histogram (weighted by the sample), the rest into the site's log.
   */
  private accessLine(line: string): void {
    const sp = line.indexOf(' ');
    const id = sp > 0 ? this.backendIds.get(line.slice(0, sp)) : undefined;
    if (!id) return;
    const sp2 = line.indexOf(' ', sp + 1);
    const sp3 = line.indexOf(' ', sp2 + 1);
    const sp4 = line.indexOf(' ', sp3 + 1);
    if (sp4 < 0) return;
    const sp5 = line.indexOf(' ', sp4 + 1);
    const sp6 = sp5 < 0 ? -1 : line.indexOf(' ', sp5 + 1);
    const rate = Number(line.slice(sp + 1, sp2));
    const ms = Number(line.slice(sp3 + 1, sp4));
    const weight = rate > ACCESS_LINES_PER_SECOND ? Math.round(rate / ACCESS_LINES_PER_SECOND) : 1;
    this.recorder.latency(id, ms, weight);
    if (sp6 < 0) return;
    this.logAccess(id, {
      status: Number(line.slice(sp2 + 1, sp3)), ms, bytes: Number(line.slice(sp4 + 1, sp5)), method: line.slice(sp5 + 1, sp6), path: line.slice(sp6 + 1),
    });
  }

  /**
   * A request the activator answered (the first ones to a sleeping site): it never reached the
   * site's backend in the data plane, so it is counted, timed (the wake included) and logged here,
   * in the same shape as the data plane's lines.
   */
  private activatorAnswered(site: string, a: ActivatorAnswer): void {
    const id = this.siteIds.get(site);
    if (!id) return;
    const failed = a.status >= 500;
    this.recorder.record(id, a.status, a.ms);
    this.metrics.requests.inc({ site });
    if (failed) this.metrics.errors.inc({ site });
    this.logAccess(id, a);
  }

  /** One access line ("GET / → 200 in 2 ms, 922 B") for the site's log, within the per-flush cap. */
  private logAccess(id: string, entry: AccessEntry): void {
    let list = this.pendingLogs.get(id);
    if (!list) this.pendingLogs.set(id, (list = []));
    if (list.length < LOG_LINES_PER_FLUSH) list.push(formatAccess(entry));
    else this.skippedLogs.set(id, (this.skippedLogs.get(id) ?? 0) + 1);
  }

  private async flushLogs(): Promise<void> {
    const batch = this.pendingLogs;
    const skipped = this.skippedLogs;
    this.pendingLogs = new Map();
    this.skippedLogs = new Map();
    await Promise.all([...batch].map(([id, lines]) => {
      const more = skipped.get(id);
      return this.deps.logs.appendSite(id, 'edge', more ? [...lines, `… and ${more} more access lines in the last half second (counted in the metrics, not logged)`] : lines);
    }));
  }

  /** What this edge counted and logged so far, into the platform Redis (also done every few seconds). */
  async flush(): Promise<void> {
    await this.collect();
    await Promise.all([this.flushLogs(), this.recorder.flush()]);
  }

  /**
   * Memory of each site's running replicas, summed per site, into the site's metrics. One edge of
   * the platform samples per interval (the others find the claim taken); `force` skips the claim.
   */
  async sampleMemory(force = false): Promise<void> {
    const every = this.opts.memorySampleMs ?? 15_000;
    if (!force && !(await this.siteMetrics.claimSampler(this.id, every))) return;
    const replicas = (await this.deps.driver.list()).filter((r) => r.status === 'running' && this.siteIds.has(r.site));
    const sums = new Map<string, number>();
    // A few at a time: each is an engine call.
    for (let i = 0; i < replicas.length; i += 4) {
      await Promise.all(replicas.slice(i, i + 4).map(async (r) => {
        const bytes = await this.deps.driver.memoryBytes(r.id).catch(() => undefined);
        if (bytes !== undefined) sums.set(r.site, (sums.get(r.site) ?? 0) + bytes);
      }));
    }
    await this.siteMetrics.setMemory([...sums].map(([site, bytes]) => ({ siteId: this.siteIds.get(site)!, bytes })));
  }

  /** Wakes a sleeping site: resumes (paused) or starts (stopped) its replicas, waits until healthy. */
  async wake(site: string): Promise<Upstream[]> {
    const t0 = performance.now();
    const id = this.siteIds.get(site);
    const db = this.deps.platform.db;
    // The route table in memory knows the replicas: no query before the engine call. Without it
    // (or without the platform database) the engine lists the site's replicas.
    const route = this.table.sites.find((s) => s.site === site);
    const row = route?.asleep ? { state: route.asleep, upstreams: route.upstreams }
      : id ? await db.selectFrom('site_routes').select(['state', 'upstreams']).where('site_id', '=', id).executeTakeFirst()
        .catch((err: unknown) => { this.deps.platform.logger.warn({ err, site }, 'wake: the platform database is unavailable; asking the engine'); return undefined; })
        : undefined;
    const known = ((row?.upstreams as unknown as Upstream[] | undefined) ?? []).filter((u) => u.id);
    let upstreams: Upstream[];
    let from: 'paused' | 'stopped';
    const outcomes = row?.state !== 'stopped' && known.length ? await Promise.all(known.map((u) => this.deps.driver.resume(u.id!))) : [];
    if (outcomes.length && outcomes.every((o) => o !== 'started')) {
      // Paused replicas keep their addresses: unfrozen, they answer at once.
      from = 'paused';
      upstreams = known;
    } else {
      from = 'stopped';
      const replicas = known.length ? known.map((u) => ({ id: u.id! })) : await this.deps.driver.list(site);
      if (replicas.length === 0) throw new Error(`site ${site} has no replicas to wake`);
      // One start per replica (its state has the new address), then wait for the port, not a
      // /healthz round trip: the visitor's request is the first one the booted process serves.
      upstreams = await startForWake(this.deps.driver, replicas.map((r) => r.id), { timeoutMs: 30_000 });
    }
    if (id) {
      // The request is answered by the activator right away; the routes follow.
      void db.updateTable('site_routes')
        .set({ state: 'serving', upstreams: JSON.stringify(upstreams), last_request_at: new Date(), updated_at: new Date() })
        .where('site_id', '=', id).execute()
        .then(() => this.deps.edge.changed(10_000))
        .catch((err: unknown) => {
          // The platform database is away: this edge routes the site straight to its replicas
          // meanwhile, instead of sending every request through the activator.
          this.deps.platform.logger.warn({ err, site }, 'could not record a wake; routing the site here until the routes can be read again');
          this.routeAwake(site, upstreams);
        });
    }
    const seconds = (performance.now() - t0) / 1000;
    this.metrics.wakes.inc({ from });
    this.metrics.wakeSeconds.observe({ from }, seconds);
    return upstreams;
  }

  /** Routes a woken site to its replicas in this edge's data plane only (until the next sync). */
  private routeAwake(site: string, upstreams: Upstream[]): void {
    this.table = {
      sites: this.table.sites.map((s) => {
        if (s.site !== site || s.state !== 'sleeping') return s;
        const { asleep: _asleep, ...awake } = s;
        return { ...awake, state: 'serving' as const, upstreams };
      }),
    };
    this.haproxy.apply(this.table).catch((err: unknown) => this.deps.platform.logger.warn({ err, site }, 'could not route a woken site'));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.flushLogs().catch(() => undefined);
    // The last requests' counts, before the data plane goes.
    if (this.haproxy) await this.collect().catch(() => undefined);
    await this.recorder.flush().catch(() => undefined);
    await this.subscriber?.quit().catch(() => undefined);
    await this.deps.edge.gone(this.id).catch(() => undefined);
    await this.haproxy?.stop();
    await this.activator.close();
    await new Promise<void>((r) => (this.admin ? this.admin.close(() => r()) : r()));
  }
}
