// Kills workers mid-job (SIGKILL, at chosen steps) and checks that a restarted worker converges:
// exactly one database, role and cache user per site, and every site ready — then the same for
// teardown, which must leave nothing behind.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startWorkers, type RunningWorkers } from '../src/jobs/workers.js';
import { tenantAdminUrl, lifecycleWorkers, startTestPlatform, type TestPlatform } from './support/platform.js';
import { call, signup, siteName, waitForStatus, type User } from './support/api.js';

const fixture = fileURLToPath(new URL('./fixtures/crash-worker.ts', import.meta.url));

function crashingWorker(t: TestPlatform, plan: Record<string, string>): Promise<string | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=paddock-source', fixture], {
    env: { ...process.env, PADDOCK_DATABASE_URL: t.config.databaseUrl, PADDOCK_ENV: 'test', CRASH_PLAN: JSON.stringify(plan), TEST_QUEUE_PREFIX: t.platform.queues.prefix },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the crashing worker never reached ${JSON.stringify(plan)}`)); }, 60000);
    child.on('exit', (_code, signal) => { clearTimeout(timer); resolve(signal); });
  });
}

async function countTenantObjects(ids: string[]) {
  const names = ids.map((id) => `s_${id.replace(/-/g, '')}`);
  const c = new pg.Client({ connectionString: tenantAdminUrl() });
  await c.connect();
  const redis = new Redis(process.env.PADDOCK_CACHE_ADMIN_URL!.split(',')[0]!);
  try {
    const dbs = await c.query<{ datname: string }>('select datname from pg_database where datname = any($1)', [names]);
    const roles = await c.query<{ rolname: string }>('select rolname from pg_roles where rolname = any($1)', [names]);
    const users = ((await redis.call('ACL', 'USERS')) as string[]).filter((u) => names.includes(u));
    return { databases: dbs.rows.map((r) => r.datname).sort(), roles: roles.rows.map((r) => r.rolname).sort(), cacheUsers: users.sort(), names: names.sort() };
  } finally {
    await c.end();
    redis.disconnect();
  }
}

describe('crash safety of provisioning and teardown', { timeout: 120000 }, () => {
  let t: TestPlatform;
  let owner: User;
  let workers: RunningWorkers | undefined;
  const sites: { id: string; name: string }[] = [];
  before(async () => {
    t = await startTestPlatform();
    owner = await signup(t.app, 'crash');
    await t.platform.db.updateTable('organisations').set({ plan: 'pro' }).where('name', '=', owner.org).execute();
  });
  after(async () => {
    await workers?.close();
    await t.close();
  });

  test('workers killed after each provisioning step are replaced and converge: one database, role and cache user per site, all ready', async () => {
    for (let i = 0; i < 3; i++) {
      const name = siteName('crash');
      const res = await call(t.app, owner.token, 'POST', '/v1/sites', { name });
      sites.push({ id: res.body.id, name });
    }
    const steps = ['recorded', 'postgres', 'redis'];
    const signal = await crashingWorker(t, Object.fromEntries(sites.map((s, i) => [s.id, steps[i]!])));
    assert.equal(signal, 'SIGKILL', 'the worker died with three jobs mid-way');
    const midway = await t.platform.db.selectFrom('sites').select('status').where('id', 'in', sites.map((s) => s.id)).execute();
    assert.ok(midway.every((s) => s.status === 'provisioning'), 'no site got to ready before its worker died');

    workers = startWorkers(t.platform, { lockDuration: 1000, stalledInterval: 500 }, lifecycleWorkers);
    for (const s of sites) await waitForStatus(t.app, owner.token, s.name, 'ready', 30000);
    const counts = await countTenantObjects(sites.map((s) => s.id));
    assert.deepEqual(counts.databases, counts.names);
    assert.deepEqual(counts.roles, counts.names);
    assert.deepEqual(counts.cacheUsers, counts.names);
    const resources = await t.platform.db.selectFrom('site_resources').select(['site_id', 'kind']).execute();
    assert.equal(resources.length, 6, 'two resource records per site, no duplicates');
  });

  test('a worker killed mid-teardown is replaced and the teardown finishes, leaving nothing', async () => {
    await workers?.close();
    workers = undefined;
    for (const s of sites) assert.equal((await call(t.app, owner.token, 'DELETE', `/v1/sites/${s.name}`)).status, 202);
    assert.equal(await crashingWorker(t, Object.fromEntries(sites.map((s) => [s.id, 'postgres-removed']))), 'SIGKILL');
    const midway = await t.platform.db.selectFrom('sites').select('status').where('id', 'in', sites.map((s) => s.id)).execute();
    assert.ok(midway.every((s) => s.status === 'deleting'), 'no teardown finished before the worker died');
    workers = startWorkers(t.platform, { lockDuration: 1000, stalledInterval: 500 }, lifecycleWorkers);
    const until = Date.now() + 30000;
    while (Date.now() < until) {
      const left = await t.platform.db.selectFrom('sites').select('status').where('status', '<>', 'deleted').execute();
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const counts = await countTenantObjects(sites.map((s) => s.id));
    assert.deepEqual(counts, { databases: [], roles: [], cacheUsers: [], names: counts.names });
    assert.deepEqual(await t.platform.db.selectFrom('site_resources').selectAll().execute(), []);
    const statuses = await t.platform.db.selectFrom('sites').select('status').where('id', 'in', sites.map((s) => s.id)).execute();
    assert.ok(statuses.every((s) => s.status === 'deleted'));
  });
});
