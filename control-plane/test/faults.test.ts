// The platform outlives its parts: a whole platform — API, worker and edge as real processes, as
// `npm start` runs them, on a platform database of the test's own — serves a site under constant
// load through the edge while parts of it fail:
//   HAProxy killed with -9 → the site answers again within 2 s (the edge restarts it within 1 s);
//   the platform Postgres stopped for 15 s → not one request to the site fails, the API answers
//     503 PDK_PLATFORM_UNAVAILABLE meanwhile and 2xx after, no process exits;
//   the platform Redis stopped for 6 s → not one request to the site fails, the API answers what
//     needs no Redis and 503 PDK_PLATFORM_UNAVAILABLE for what does, no process exits, and route
//     changes and jobs flow again once it is back;
//   a worker killed with -9 mid-release → once the reconciler ran, the release is failed and no
//     container of it is left, and the site kept serving its previous release.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { openPlatform, type Platform } from '../src/platform/platform.js';
import { DockerDriver } from '../src/drivers/docker.js';
import { removeReleaseImages } from '../src/images/release-image.js';
import { createProvisioners, openResource } from '../src/provisioners/index.js';
import { errors } from '../src/errors.js';
import { deployRuntimeOf } from '../src/platform/deploy-runtime.js';
import { reconcileDeploys } from '../src/releases/reconciler.js';
import { deployJobRunning } from '../src/jobs/reconcile.js';
import { freePort, packSite } from './deploy/support.js';
import { suffix } from './support/platform.js';
import { siteName } from './support/api.js';
import { startScratchPostgres, type ScratchPostgres } from './support/scratch-postgres.js';
import { startScratchRedis, type ScratchRedis } from './support/scratch-redis.js';

const mainTs = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const victimTs = fileURLToPath(new URL('./fixtures/deploy-worker.ts', import.meta.url));
const siteDir = fileURLToPath(new URL('./fixtures/faults-site', import.meta.url));

/** A platform process: its output lines (pino JSON) and whether it exited. */
interface Proc {
  name: string;
  child: ChildProcess;
  lines: string[];
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  exited: Promise<void>;
}

function startProcess(name: string, script: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=paddock-source', script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = { name, child, lines: [], exit: undefined, exited: Promise.resolve() };
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.on('data', (d: Buffer) => {
      const parts = (rest + d.toString()).split('\n');
      rest = parts.pop() ?? '';
      p.lines.push(...parts);
      if (p.lines.length > 5000) p.lines.splice(0, p.lines.length - 5000);
    });
  }
  p.exited = new Promise((resolve) => child.once('exit', (code, signal) => { p.exit = { code, signal }; resolve(); }));
  return p;
}

const tail = (p: Proc, n = 25) => `--- last lines of ${p.name} ---\n${p.lines.slice(-n).join('\n')}`;

async function stopProcess(p: Proc | undefined): Promise<void> {
  if (!p || p.exit) return;
  p.child.kill('SIGTERM');
  const force = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
  await p.exited;
  clearTimeout(force);
}

/** Polls `fn` until it returns a value (not undefined) or the time is up. */
async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One HTTP request; resolves with the status and body, or rejects (refused, reset, timed out). */
function get(port: number, host: string, path = '/', timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.end();
  });
}

interface Sample { start: number; end: number; ok: boolean; detail: string }

/** Constant load on the site through the edge: a few clients, each a request every few ms on a new connection. */
class Load {
  readonly samples: Sample[] = [];
  private running = true;
  private paused = false;
  private inFlight = 0;
  private readonly loops: Promise<void>[];

  constructor(private readonly port: number, private readonly host: string, clients = 2, gapMs = 10) {
    this.loops = Array.from({ length: clients }, async () => {
      while (this.running) {
        if (this.paused) { await new Promise((r) => setTimeout(r, 5)); continue; }
        const start = performance.now();
        this.inFlight++;
        try {
          const r = await get(this.port, this.host);
          this.samples.push({ start, end: performance.now(), ok: r.status === 200 && r.body === 'up', detail: `${r.status} ${r.body.slice(0, 80)}` });
        } catch (err) {
          this.samples.push({ start, end: performance.now(), ok: false, detail: (err as Error).message });
        } finally {
          this.inFlight--;
        }
        await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  }

  /** Requests that started in [from, to) and failed. */
  failures(from: number, to = Infinity): Sample[] {
    return this.samples.filter((s) => s.start >= from && s.start < to && !s.ok);
  }

  count(from: number, to = Infinity): number {
    return this.samples.filter((s) => s.start >= from && s.start < to).length;
  }

  async pause(): Promise<void> {
    this.paused = true;
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
  }

  resume(): void {
    this.paused = false;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

describe('the platform outlives its parts', { timeout: 600_000 }, () => {
  let pgServer: ScratchPostgres;
  let redisServer: ScratchRedis;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let platform: Platform;
  let api: Proc;
  let worker: Proc | undefined;
  let edge: Proc;
  let victim: Proc | undefined;
  let apiPort: number;
  let edgePort: number;
  let edgeAdminPort: number;
  let edgeTlsPort: number;
  let token: string;
  let load: Load;
  const site = siteName('fault');
  const host = `${site}.localhost`;
  const queuePrefix = `pdktest:${suffix()}`;

  const call = async (method: string, path: string, body?: unknown, timeoutMs = 10_000) => {
    const t0 = performance.now();
    const res = await fetch(`http://127.0.0.1:${apiPort}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined && !(body instanceof Buffer) ? { 'content-type': 'application/json' } : {}), ...(body instanceof Buffer ? { 'content-type': 'application/gzip' } : {}) },
      ...(body !== undefined ? { body: body instanceof Buffer ? body : JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let json: { error?: { code: string; message: string } } & Record<string, unknown> = {};
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, body: json, text, ms: performance.now() - t0, retryAfter: res.headers.get('retry-after') };
  };

  const edgeMetric = async (name: string, labels = ''): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${edgeAdminPort}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  const deployDone = (id: string) => waitFor(`deploy ${id} to end`, async () => {
    const r = await call('GET', `/v1/sites/${site}/deploys/${id}`);
    return r.body.status === 'succeeded' || r.body.status === 'failed' ? r.body : undefined;
  }, 300_000);

  const processes = () => [api, worker, edge, victim].filter((p): p is Proc => Boolean(p));

  /**
   * An env change whose release never gets healthy (its replicas wait 2 minutes before they boot):
   * resolves once it is under way — its release pending, a replica of it running — with the
   * deploy's id and the release.
   */
  const hangingRelease = async (runner: () => Proc) => {
    const db = platform.db;
    const change = await call('PATCH', `/v1/sites/${site}/env`, { vars: { BOOT_HANG_MS: '120000' } });
    assert.equal(change.status, 200, change.text);
    const deployId = (change.body.deploy as { id: string }).id;
    const release = await waitFor('the release to be under way with its replica running', async () => {
      const d = await db.selectFrom('deploys').select(['status', 'release_id']).where('id', '=', deployId).executeTakeFirstOrThrow();
      if (d.status !== 'releasing' || !d.release_id) return undefined;
      const rel = await db.selectFrom('releases').select(['id', 'version', 'status']).where('id', '=', d.release_id).executeTakeFirstOrThrow();
      const replicas = (await new DockerDriver().list(site)).filter((r) => r.release === `v${rel.version}` && r.status === 'running');
      return rel.status === 'pending' && replicas.length > 0 ? rel : undefined;
    }, 120_000).catch((err: Error) => { throw new Error(`${err.message}\n${tail(runner())}`); });
    return { deployId, release, labels: { label: [`paddock.site=${site}`, `paddock.release=v${release.version}`] } };
  };

  before(async () => {
    [pgServer, redisServer] = await Promise.all([startScratchPostgres(), startScratchRedis()]);
    dir = mkdtempSync(join(tmpdir(), 'pdk-faults-'));
    [apiPort, edgePort, edgeAdminPort, edgeTlsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    env = {
      ...process.env,
      PADDOCK_ENV: 'test',
      PADDOCK_LOG_LEVEL: 'info',
      PADDOCK_DATABASE_URL: pgServer.url,
      PADDOCK_REDIS_URL: redisServer.url,
      PADDOCK_QUEUE_PREFIX: queuePrefix,
      PADDOCK_API_PORT: String(apiPort),
      PADDOCK_API_HOST: '127.0.0.1',
      PADDOCK_EDGE_PORT: String(edgePort),
      PADDOCK_EDGE_TLS_PORT: String(edgeTlsPort),
      // No dev CA: the site keeps no certificate, so plain HTTP is served rather than redirected (HTTPS is tested in certificates/).
      PADDOCK_DEV_CA_DIR: '',
      PADDOCK_EDGE_BIND: '127.0.0.1',
      PADDOCK_EDGE_ADMIN_PORT: String(edgeAdminPort),
      PADDOCK_ARTIFACTS_DIR: join(dir, 'artifacts'),
      PADDOCK_BUILD_DIR: join(dir, 'builds'),
      PADDOCK_EDGE_DIR: join(dir, 'edge'),
      PADDOCK_PASSWORD_COST: '10',
      PADDOCK_AUTH_RATE_LIMIT: '100000',
      PADDOCK_OPERATOR_PASSWORD: '',
      PADDOCK_WORKER_CONCURRENCY: '4',
    };
    // The API migrates the platform database first; the others start once it answers.
    api = startProcess('api', mainTs, ['api'], env);
    await waitFor('the API to answer', async () => ((await call('GET', '/healthz', undefined, 2000)).status === 200 ? true : undefined), 120_000)
      .catch((err: Error) => { throw new Error(`${err.message}\n${tail(api)}`); });
    worker = startProcess('worker', mainTs, ['worker'], env);
    edge = startProcess('edge', mainTs, ['edge'], env);
    platform = openPlatform(loadConfig(env), { logger: createLogger('silent'), queuePrefix });
    await waitFor('the edge to answer', async () => ((await fetch(`http://127.0.0.1:${edgeAdminPort}/healthz`)).ok ? true : undefined), 120_000)
      .catch((err: Error) => { throw new Error(`${err.message}\n${tail(edge)}`); });

    const signup = await call('POST', '/v1/auth/signup', { email: `faults-${suffix()}@example.test`, password: `pw-${suffix()}-${suffix()}` });
    assert.equal(signup.status, 201, signup.text);
    token = (signup.body.session as { token: string }).token;
    assert.equal((await call('POST', '/v1/sites', { name: site })).status, 202);
    await waitFor(`site ${site} to be ready`, async () => ((await call('GET', `/v1/sites/${site}`)).body.status === 'ready' ? true : undefined), 120_000)
      .catch((err: Error) => { throw new Error(`${err.message}\n${tail(worker!)}`); });
    const pushed = await call('POST', `/v1/sites/${site}/deploys`, await packSite(siteDir));
    assert.equal(pushed.status, 202, pushed.text);
    const done = await deployDone(pushed.body.id as string);
    assert.equal(done.status, 'succeeded', `${String(done.error)}\n${tail(worker!)}`);
    await waitFor('the site to answer through the edge', async () => ((await get(edgePort, host)).body === 'up' ? true : undefined), 30_000);
    load = new Load(edgePort, host);
  });

  after(async () => {
    await load?.stop();
    await Promise.all(processes().map(stopProcess));
    // The platform database may be what a failed test left stopped: the cleanup reads it.
    await pgServer?.start().catch(() => undefined);
    if (platform) {
      const driver = new DockerDriver();
      await driver.removeSite(site).catch(() => undefined);
      await removeReleaseImages(driver.docker, site).catch(() => undefined);
      const provisioners = createProvisioners(platform.config);
      const rows = await platform.db.selectFrom('site_resources').selectAll().execute().catch(() => []);
      for (const row of rows) await provisioners.byKind(row.kind).destroy(openResource(platform.secrets, row)).catch(() => undefined);
      await provisioners.close();
      await platform.close();
    }
    await redisServer?.destroy();
    await pgServer?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('HAProxy killed with -9: the edge starts it again and the site answers within 2 s; its counters count on', async (t) => {
    await waitFor('some load', async () => (load.count(0) >= 20 ? true : undefined), 10_000);
    assert.equal(await edgeMetric('paddock_edge_haproxy_restarts_total'), 0);
    const master = Number(readFileSync(join(dir, 'edge', 'haproxy.pid'), 'utf8').trim());
    const killedAt = performance.now();
    process.kill(master, 'SIGKILL');
    await waitFor('the edge to restart HAProxy', async () => ((await edgeMetric('paddock_edge_haproxy_restarts_total')) === 1 ? true : undefined), 10_000)
      .catch((err: Error) => { throw new Error(`${err.message}\n${tail(edge)}`); });
    // Enough answers after the restart to see that the site is steadily back.
    const restartSeen = performance.now();
    await waitFor('answers after the restart', async () => (load.samples.filter((s) => s.start > restartSeen && s.ok).length >= 20 ? true : undefined), 10_000);
    const failed = load.failures(killedAt);
    const lastFailure = Math.max(killedAt, ...failed.map((s) => s.end));
    const back = load.samples.filter((s) => s.ok && s.start >= lastFailure).reduce((m, s) => Math.min(m, s.end), Infinity);
    const downMs = Math.round(back - killedAt);
    // The supervisor's target is 1 s from the death to the new HAProxy answering; 2 s leaves room for a busy machine.
    assert.ok(downMs < 2000, `the site answered again ${downMs} ms after HAProxy was killed (${failed.length} failed requests: ${failed.slice(0, 3).map((s) => s.detail).join('; ')})`);
    assert.deepEqual(load.failures(back), [], 'no failure once it answered again');
    const logged = edge.lines.find((l) => l.includes('HAProxy runs again'));
    assert.ok(logged, `the edge logs the restart\n${tail(edge)}`);
    const restartMs = Number(JSON.parse(logged).ms);
    assert.ok(restartMs < 1000, `the edge restarted HAProxy ${restartMs} ms after it died`);
    assert.notEqual(Number(readFileSync(join(dir, 'edge', 'haproxy.pid'), 'utf8').trim()), master);
    t.diagnostic(`HAProxy back ${restartMs} ms after its death; the site answered again ${downMs} ms after the kill; ${failed.length} requests failed`);

    // The new HAProxy's counters start from zero: the edge's counts go on exactly.
    await load.pause();
    const metric = 'paddock_site_requests_total';
    const labels = `{site="${site}"}`;
    const before = await edgeMetric(metric, labels);
    for (let i = 0; i < 20; i++) assert.equal((await get(edgePort, host)).status, 200);
    assert.equal(await edgeMetric(metric, labels) - before, 20, 'every request after the restart is counted once');
    load.resume();
  });

  test('the platform Postgres stopped for 15 s mid-deploy: no request to the site fails, the API answers 503 PDK_PLATFORM_UNAVAILABLE, then 2xx, no process exits, the deploy ends by itself', async (t) => {
    const db = platform.db;
    const docker = new DockerDriver();
    // A deploy under way holds its site's lock on a connection of its own: that connection breaks too.
    const inFlight = await hangingRelease(() => worker!);
    const stoppedAt = performance.now();
    await pgServer.stop();
    const answers: Array<{ status: number; code: string | undefined; ms: number; retryAfter: string | null }> = [];
    // A read, a write and the health check, every second of the outage.
    const outageMs = 15_000;
    while (performance.now() - stoppedAt < outageMs) {
      for (const { method, path, body } of [{ method: 'GET', path: `/v1/sites/${site}`, body: undefined }, { method: 'POST', path: '/v1/sites', body: { name: siteName('nope') } }]) {
        const r = await call(method, path, body);
        answers.push({ status: r.status, code: r.body.error?.code, ms: Math.round(r.ms), retryAfter: r.retryAfter });
      }
      assert.equal((await call('GET', '/healthz')).status, 503);
      await new Promise((r) => setTimeout(r, 1000));
    }
    await pgServer.start();
    const restartedAt = performance.now();
    assert.ok(answers.length >= 20, `${answers.length} API calls during the outage`);
    for (const a of answers) {
      assert.equal(a.status, 503, JSON.stringify(a));
      assert.equal(a.code, errors.platformUnavailable.code);
      assert.equal(a.retryAfter, '5');
      assert.ok(a.ms < 5000, `answered in ${a.ms} ms, not hanging`);
    }
    const recovered = await waitFor('the API to answer 200 again', async () => ((await call('GET', `/v1/sites/${site}`)).status === 200 ? performance.now() : undefined), 30_000);
    assert.equal((await call('GET', '/healthz')).status, 200);
    for (const p of processes()) assert.equal(p.exit, undefined, `${p.name} exited (${JSON.stringify(p.exit)})\n${tail(p)}`);

    // Its lock went with the broken connection, but its worker still runs it: a reconciler pass leaves it alone.
    const pass = await reconcileDeploys(deployRuntimeOf(platform), { jobRunning: deployJobRunning(platform) });
    assert.deepEqual([pass.failed, pass.completed, pass.strayReleases, pass.busySites], [[], [], [], []], JSON.stringify(pass));
    assert.equal((await db.selectFrom('deploys').select('status').where('id', '=', inFlight.deployId).executeTakeFirstOrThrow()).status, 'releasing');
    // It ends by itself: its replica never got healthy, so it fails and takes its containers with it.
    const ended = await deployDone(inFlight.deployId);
    assert.equal(ended.status, 'failed');
    assert.match(String(ended.error), /health check/);
    assert.equal((await db.selectFrom('releases').select('status').where('id', '=', inFlight.release.id).executeTakeFirstOrThrow()).status, 'failed');
    assert.deepEqual(await docker.docker.listContainers({ all: true, filters: inFlight.labels }), []);

    const duringOutage = load.count(stoppedAt, restartedAt);
    assert.ok(duringOutage >= 100, `only ${duringOutage} requests to the site during the outage`);
    const failed = load.failures(stoppedAt);
    assert.deepEqual(failed.map((s) => s.detail), [], `${failed.length} of ${load.count(stoppedAt)} requests to the site failed`);
    for (const p of processes()) assert.equal(p.exit, undefined, `${p.name} exited (${JSON.stringify(p.exit)})\n${tail(p)}`);
    t.diagnostic(`${duringOutage} requests to the site during the 15 s outage, none failed; the API answered 200 again ${Math.round(recovered - restartedAt)} ms after Postgres came back`);
  });

  test('the platform Redis stopped for 6 s: no request to the site fails, the API answers 503 PDK_PLATFORM_UNAVAILABLE only where it needs Redis, no process exits, then signals and jobs flow again', async (t) => {
    const stoppedAt = performance.now();
    await redisServer.stop();
    const answers: Array<{ what: string; status: number; code: string | undefined; ms: number }> = [];
    while (performance.now() - stoppedAt < 6_000) {
      for (const [what, path] of [['site', `/v1/sites/${site}`], ['logs', `/v1/sites/${site}/logs`], ['health', '/healthz']]) {
        const r = await call('GET', path!);
        answers.push({ what: what!, status: r.status, code: r.body.error?.code, ms: Math.round(r.ms) });
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    await redisServer.start();
    const restartedAt = performance.now();
    for (const a of answers) {
      if (a.what === 'site') assert.equal(a.status, 200, `what needs only the database answers: ${JSON.stringify(a)}`);
      else assert.equal(a.status, 503, JSON.stringify(a));
      if (a.what === 'logs') assert.equal(a.code, errors.platformUnavailable.code);
      assert.ok(a.ms < 5000, `answered in ${a.ms} ms, not hanging: ${JSON.stringify(a)}`);
    }
    await waitFor('the logs to answer again', async () => ((await call('GET', `/v1/sites/${site}/logs`)).status === 200 ? true : undefined), 30_000);
    // The edge is back in touch: it heartbeats, and a route change announced over pub/sub reaches it
    // (well before its periodic resync would).
    const signal = deployRuntimeOf(platform).edge;
    await waitFor('the edge to heartbeat again', async () => ((await signal.liveEdges()).length === 1 ? true : undefined), 30_000);
    await signal.changed(5000);
    // The worker takes jobs again: an env change is released.
    const change = await call('PATCH', `/v1/sites/${site}/env`, { vars: { AFTER_REDIS: 'yes' } });
    assert.equal(change.status, 200, change.text);
    const released = await deployDone((change.body.deploy as { id: string }).id);
    assert.equal(released.status, 'succeeded', String(released.error));
    const failed = load.failures(stoppedAt);
    assert.deepEqual(failed.map((s) => s.detail), [], `${failed.length} of ${load.count(stoppedAt)} requests to the site failed`);
    for (const p of processes()) assert.equal(p.exit, undefined, `${p.name} exited (${JSON.stringify(p.exit)})\n${tail(p)}`);
    t.diagnostic(`${load.count(stoppedAt, restartedAt)} requests to the site during the 6 s Redis outage, none failed`);
  });

  test('a worker killed with -9 mid-release: the reconciler of the next worker fails the release and removes its containers; the site keeps serving', async () => {
    const db = platform.db;
    const docker = new DockerDriver();
    // The victim alone takes deploy jobs: the platform's worker stops (as an operator would) and comes back after.
    await stopProcess(worker);
    assert.equal(worker!.exit?.code, 0, `the worker stops cleanly on SIGTERM\n${tail(worker!)}`);
    worker = undefined;
    victim = startProcess('victim', victimTs, [], env);
    await waitFor('the victim worker to run', async () => (victim!.lines.some((l) => l.includes('deploy worker running')) ? true : undefined), 60_000);
    const envBefore = (await call('GET', `/v1/sites/${site}/env`)).body.vars;
    const from = performance.now();
    const { deployId, release: mid, labels } = await hangingRelease(() => victim!);
    const containers = await docker.docker.listContainers({ all: true, filters: labels });
    assert.ok(containers.some((c) => c.Labels['paddock.role'] === 'netns'), 'its network holder runs');
    victim!.child.kill('SIGKILL');
    await victim!.exited;
    assert.equal(victim!.exit?.signal, 'SIGKILL');
    victim = undefined;
    // Its job's lock lapses (1 s for this worker); then the platform's worker starts, and with it the reconciler.
    const lockKey = `${platform.queues.deploy.toKey(deployId)}:lock`;
    await waitFor('the dead worker\'s job lock to lapse', async () => ((await platform.redis.exists(lockKey)) === 0 ? true : undefined), 10_000);
    assert.equal((await db.selectFrom('releases').select('status').where('id', '=', mid.id).executeTakeFirstOrThrow()).status, 'pending', 'nothing ended it before the worker came back');
    worker = startProcess('worker', mainTs, ['worker'], env);
    // The deploy's status is the last thing recorded.
    const deploy = await waitFor('the deploy to end', async () => {
      const d = await db.selectFrom('deploys').select(['status', 'error']).where('id', '=', deployId).executeTakeFirstOrThrow();
      return d.status === 'releasing' ? undefined : d;
    }, 120_000).catch((err: Error) => { throw new Error(`${err.message}\n${tail(worker!)}`); });
    assert.equal(deploy.status, 'failed');
    assert.equal((await db.selectFrom('releases').select('status').where('id', '=', mid.id).executeTakeFirstOrThrow()).status, 'failed');
    assert.ok(deploy.error?.endsWith(errors.deployInterrupted().message), deploy.error ?? '');
    assert.deepEqual(await docker.docker.listContainers({ all: true, filters: labels }), [], 'no container of the release is left');
    await waitFor('the worker\'s reconciler to report it', async () => (worker!.lines.some((l) => l.includes('reconciler: ended deploys') && l.includes(deployId)) ? true : undefined), 10_000)
      .catch((err: Error) => { throw new Error(`${err.message}\n${tail(worker!)}`); });
    // The env change did not go live: the site's vars are back to what runs.
    assert.deepEqual((await call('GET', `/v1/sites/${site}/env`)).body.vars, envBefore);
    const failed = load.failures(from);
    assert.deepEqual(failed.map((s) => s.detail), [], 'the previous release kept serving');
    assert.equal((await get(edgePort, host)).body, 'up');
  });
});
