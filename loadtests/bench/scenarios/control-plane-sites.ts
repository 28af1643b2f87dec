// The control plane's site lifecycle under load: provisioning one site (API call to ready:
// database + role from the spare pool, cache ACL user), 100 sites created at once, and
// `GET /v1/sites` latency at a fixed 200 requests/s. The API runs in a process of its own (as in
// production), the workers and the load in this one, against the dev stack's Postgres and Redis,
// on a platform database of their own.
import { Agent, request } from 'node:http';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../harness/index.mjs';
import { loadConfig } from '../../../control-plane/src/config.js';
import { createLogger } from '../../../control-plane/src/logger.js';
import { openPlatform } from '../../../control-plane/src/platform/platform.js';
import { migrateToLatest } from '../../../control-plane/src/store/migrate.js';
import { startWorkers } from '../../../control-plane/src/jobs/workers.js';
import { startProvisionWorker } from '../../../control-plane/src/jobs/provision.js';
import { startTeardownWorker } from '../../../control-plane/src/jobs/teardown.js';
import { createProvisioners, openResource } from '../../../control-plane/src/provisioners/index.js';

const PROVISION_SAMPLES = 12;
const CONCURRENT_SITES = 100;
const RATE = 200;

interface Answer { status: number; body: string; ms: number }

function http(agent: Agent, base: string, method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${base}${path}`, {
      method, agent,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload ? { 'content-type': 'application/json' } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const round = (n: number) => Math.round(n * 10) / 10;

export default {
  name: 'control-plane-sites',
  description: 'provisioning p50 (target 300 ms), 100 concurrent site creations (30 s), GET /v1/sites p99 at 200 req/s (15 ms)',
  target: { ratio: 1, compare: '<=' },
  async run(ctx) {
    // Its own platform database, made on the platform server by the role the tests use (CREATEDB).
    const adminUrl = process.env.PADDOCK_TEST_DATABASE_ADMIN_URL;
    if (!adminUrl) throw new Error('PADDOCK_TEST_DATABASE_ADMIN_URL is unset: run the benchmarks with `npm run bench`, which brings up the dev stack and sets it.');
    const dbName = `pdk_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const dbUrl = new URL(adminUrl);
    dbUrl.pathname = `/${dbName}`;
    const config = loadConfig({ ...process.env, PADDOCK_ENV: 'test', PADDOCK_LOG_LEVEL: 'warn', PADDOCK_DATABASE_URL: dbUrl.toString(), PADDOCK_AUTH_RATE_LIMIT: '100000', PADDOCK_PASSWORD_COST: '12', PADDOCK_OPERATOR_PASSWORD: '' });
    const prefix = `pdkbench:${randomBytes(4).toString('hex')}`;
    const platform = openPlatform(config, { logger: createLogger('warn'), queuePrefix: prefix });
    ctx.defer(async () => {
      // Remove every tenant database, role and cache user this run made, then the platform database.
      const rows = await platform.db.selectFrom('site_resources').selectAll().execute();
      const provisioners = createProvisioners(config);
      let failed = 0;
      for (let i = 0; i < rows.length; i += 8) {
        await Promise.all(rows.slice(i, i + 8).map((r) => provisioners.byKind(r.kind).destroy(openResource(platform.secrets, r)).catch((err: Error) => {
          if (failed++ === 0) ctx.log(`cleanup: could not remove ${r.kind} ${r.username}: ${err.message}`);
        })));
      }
      ctx.log(`cleanup: removed the resources of ${rows.length / 2} sites${failed ? `, ${failed} failed` : ''}`);
      await provisioners.close();
      const keys = await platform.redis.keys(`${prefix}:*`);
      if (keys.length) await platform.redis.del(...keys);
      await platform.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${dbName} with (force)`);
      await c.end();
    });
    await migrateToLatest(platform.db, config.databaseUrl);
    const apiPort = await ctx.freePort();
    const api = await ctx.startProcess(process.execPath, ['--import', 'tsx', '--conditions=paddock-source', fileURLToPath(new URL('../../../control-plane/src/main.ts', import.meta.url)), 'api'], {
      name: 'control-plane api', port: apiPort, timeoutMs: 60000,
      env: { ...process.env, PADDOCK_ENV: 'test', PADDOCK_LOG_LEVEL: 'warn', PADDOCK_DATABASE_URL: config.databaseUrl, PADDOCK_API_PORT: String(apiPort), PADDOCK_API_HOST: '127.0.0.1', PADDOCK_QUEUE_PREFIX: prefix, PADDOCK_AUTH_RATE_LIMIT: '100000', PADDOCK_PASSWORD_COST: '12', PADDOCK_OPERATOR_PASSWORD: '' },
    });
    const workers = startWorkers(platform, {}, [startProvisionWorker, startTeardownWorker]);
    ctx.defer(() => workers.close());
    const base = `http://127.0.0.1:${apiPort}`;
    const agent = new Agent({ keepAlive: true, maxSockets: 128 });
    ctx.defer(() => agent.destroy());

    const signupRes = await http(agent, base, 'POST', '/v1/auth/signup', undefined, { email: `bench-${randomBytes(4).toString('hex')}@example.test`, password: 'bench password 123' });
    const { session, organisation } = JSON.parse(signupRes.body) as { session: { token: string }; organisation: { id: string; name: string } };
    const token = session.token;
    await platform.db.updateTable('organisations').set({ plan: 'business', quota_overrides: JSON.stringify({ sites: 1000 }) }).where('id', '=', organisation.id).execute();
    const waitReady = async (ids: string[], timeoutMs: number) => {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const row = await platform.db.selectFrom('sites').select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'in', ids).where('status', '=', 'ready').executeTakeFirstOrThrow();
        if (Number(row.n) === ids.length) return true;
        await new Promise((r) => setTimeout(r, 5));
      }
      return false;
    };

    // Let the workers fill the spare database pool first, as it is on a running platform.
    ctx.log('warming the spare database pool…');
    const warmUntil = Date.now() + 30000;
    while (Date.now() < warmUntil) {
      const spares = await platform.db.executeQuery<{ n: number }>({ sql: "select count(*)::int as n from pg_database where datname like 'pdk\\_spare\\_%'", parameters: [], query: { kind: 'RawNode' } as never });
      if ((spares.rows[0]?.n ?? 0) >= config.spareDatabases) break;
      await new Promise((r) => setTimeout(r, 200));
    }

    // 1. One site at a time, API call to ready, a second apart (sites are not created back to back).
    const provisionMs: number[] = [];
    for (let i = 0; i < PROVISION_SAMPLES; i++) {
      const t0 = performance.now();
      const res = await http(agent, base, 'POST', '/v1/sites', token, { name: `bench-${randomBytes(5).toString('hex')}` });
      if (res.status !== 202) throw new Error(`create answered ${res.status}: ${res.body}`);
      if (!(await waitReady([(JSON.parse(res.body) as { id: string }).id], 20000))) throw new Error('a site did not become ready within 20 s');
      provisionMs.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const p50 = percentile(provisionMs, 50);
    ctx.log(`provisioning: p50 ${round(p50)} ms over ${PROVISION_SAMPLES}`);

    // 2. 100 creations at once.
    const t1 = performance.now();
    const created = await Promise.all(Array.from({ length: CONCURRENT_SITES }, () => http(agent, base, 'POST', '/v1/sites', token, { name: `burst-${randomBytes(5).toString('hex')}` })));
    const accepted = created.filter((r) => r.status === 202).map((r) => (JSON.parse(r.body) as { id: string }).id);
    const allReady = await waitReady(accepted, 60000);
    const burstSec = (performance.now() - t1) / 1000;
    ctx.log(`100 at once: ${accepted.length} accepted, all ready: ${allReady}, ${round(burstSec)} s`);

    // 3. GET /v1/sites at a fixed rate, for an account with a few sites and for this one (112 sites).
    const small = JSON.parse((await http(agent, base, 'POST', '/v1/auth/signup', undefined, { email: `bench-s-${randomBytes(4).toString('hex')}@example.test`, password: 'bench password 123' })).body) as { session: { token: string } };
    for (let i = 0; i < 3; i++) await http(agent, base, 'POST', '/v1/sites', small.session.token, { name: `few-${randomBytes(5).toString('hex')}` });
    // The API process's CPU time (Linux /proc, in clock ticks of 10 ms): per request, it is what
    // the list costs regardless of how busy the machine is.
    const apiCpuMs = async () => {
      const { readFile } = await import('node:fs/promises');
      const fields = (await readFile(`/proc/${api.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    };
    const measureList = async (who: string, seconds: number) => {
      const cpu0 = await apiCpuMs().catch(() => Number.NaN);
      const latencies: number[] = [];
      let failed = 0;
      const started = performance.now();
      const inflight: Promise<void>[] = [];
      for (let i = 0; i < RATE * seconds; i++) {
        const due = started + (i * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        inflight.push(http(agent, base, 'GET', '/v1/sites', who).then((r) => { latencies.push(r.ms); if (r.status !== 200) failed++; }, () => { failed++; }));
      }
      await Promise.all(inflight);
      const cpuPerRequest = ((await apiCpuMs().catch(() => Number.NaN)) - cpu0) / latencies.length;
      return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), failed, rate: latencies.length / ((performance.now() - started) / 1000), cpuPerRequest };
    };
    const seconds = Math.max(3, ctx.duration * 2);
    await measureList(small.session.token, 1); // warm-up
    const few = await measureList(small.session.token, seconds);
    const many = await measureList(token, seconds);
    ctx.log(`GET /v1/sites: 3 sites p99 ${round(few.p99)} ms; 112 sites p99 ${round(many.p99)} ms`);

    return [
      { subject: 'provision one site (API call → ready)', baseline: 'target 300 ms', measured: { 'p50 ms': round(p50), 'max ms': round(Math.max(...provisionMs)), samples: PROVISION_SAMPLES }, ratio: p50 / 300 },
      { subject: `${CONCURRENT_SITES} sites created at once, all ready`, baseline: 'target 30 s', measured: { seconds: round(burstSec), accepted: accepted.length, 'all ready': String(allReady) }, ratio: allReady ? burstSec / 30 : Number.POSITIVE_INFINITY },
      { subject: `GET /v1/sites p99 at ${RATE} req/s (3 sites)`, baseline: 'target 15 ms', measured: { 'p50 ms': round(few.p50), 'p99 ms': round(few.p99), 'req/s': Math.round(few.rate), failed: few.failed, 'API CPU ms/req': Math.round(few.cpuPerRequest * 100) / 100 }, ratio: few.failed ? Number.POSITIVE_INFINITY : few.p99 / 15 },
      { subject: `GET /v1/sites p99 at ${RATE} req/s (112 sites)`, baseline: 'target 15 ms', measured: { 'p50 ms': round(many.p50), 'p99 ms': round(many.p99), 'req/s': Math.round(many.rate), failed: many.failed, 'API CPU ms/req': Math.round(many.cpuPerRequest * 100) / 100 }, ratio: many.failed ? Number.POSITIVE_INFINITY : many.p99 / 15 },
    ];
  },
} satisfies Scenario;
