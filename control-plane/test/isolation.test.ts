// Attacks one tenant's credentials against another tenant's database and cache, and against
// the servers themselves.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createProvisioners, openResource, type TenantResource } from '../src/provisioners/index.js';
import { enforceDatabaseQuotas } from '../src/jobs/database-quota.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import { call, signup, siteName, waitForStatus, type User } from './support/api.js';

interface Tenant { id: string; name: string; pg: TenantResource; redis: TenantResource }

function pgUrl(r: TenantResource, database = r.database ?? ''): string {
  const u = new URL(process.env.PADDOCK_PG_ADMIN_URL!);
  u.username = r.username;
  u.password = r.password;
  u.pathname = `/${database}`;
  return u.toString();
}

async function pgConnect(r: TenantResource, database?: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: pgUrl(r, database) });
  c.on('error', () => {});
  await c.connect();
  return c;
}

function cacheAs(r: TenantResource): Redis {
  const u = new URL(process.env.PADDOCK_CACHE_ADMIN_URL!.split(',')[0]!);
  const c = new Redis({ host: u.hostname, port: Number(u.port || 6379), username: r.username, password: r.password, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on('error', () => {});
  return c;
}

async function denied(p: Promise<unknown>, pattern = /NOPERM|no permissions/i): Promise<void> {
  await assert.rejects(p, (e: Error) => pattern.test(e.message));
}

describe('tenant isolation on real Postgres and Redis', () => {
  let t: TestPlatform;
  let owner: User;
  const tenants: Tenant[] = [];
  let admin: Redis;

  before(async () => {
    t = await startTestPlatform({ worker: true });
    owner = await signup(t.app, 'iso');
    await t.platform.db.updateTable('organisations').set({ plan: 'pro' }).where('name', '=', owner.org).execute();
    for (const name of [siteName('a'), siteName('b')]) {
      const created = await call(t.app, owner.token, 'POST', '/v1/sites', { name });
      assert.equal(created.status, 202);
    }
    for (const s of (await call(t.app, owner.token, 'GET', '/v1/sites')).body.sites) {
      await waitForStatus(t.app, owner.token, s.name, 'ready');
      const rows = await t.platform.db.selectFrom('site_resources').selectAll().where('site_id', '=', s.id).execute();
      const by = Object.fromEntries(rows.map((r) => [r.kind, openResource(t.platform.secrets, r)]));
      tenants.push({ id: s.id, name: s.name, pg: by.postgres!, redis: by.redis! });
    }
    admin = new Redis(process.env.PADDOCK_CACHE_ADMIN_URL!.split(',')[0]!);
  });

  after(async () => {
    for (const s of tenants) {
      const d = await call(t.app, owner.token, 'DELETE', `/v1/sites/${s.name}`);
      assert.equal(d.status, 202, JSON.stringify(d.body));
    }
    const until = Date.now() + 15000;
    let left: unknown[] = [];
    while (Date.now() < until) {
      left = await t.platform.db.selectFrom('sites').select(['id', 'status']).where('status', '<>', 'deleted').execute();
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(left, [], 'teardown finished');
    admin.disconnect();
    await t.close();
  });

  test("credentials are stored encrypted, bound to their site", async () => {
    const [a, b] = tenants as [Tenant, Tenant];
    const rows = await t.platform.db.selectFrom('site_resources').selectAll().execute();
    for (const r of rows) {
      assert.doesNotMatch(r.secret_enc, new RegExp(a.pg.password.slice(0, 12)));
      assert.doesNotMatch(r.secret_enc, new RegExp(b.pg.password.slice(0, 12)));
    }
    const aRow = rows.find((r) => r.site_id === a.id && r.kind === 'postgres')!;
    assert.throws(() => openResource(t.platform.secrets, { ...aRow, site_id: b.id }), 'a ciphertext moved to another site does not open');
  });

  test("site A's role works in its own database, with its limits, and cannot connect to B's", async () => {
    const [a, b] = tenants as [Tenant, Tenant];
    const own = await pgConnect(a.pg);
    try {
      await own.query('create table notes (id serial primary key, body text)');
      await own.query("insert into notes (body) values ('mine')");
      assert.equal((await own.query('show statement_timeout')).rows[0].statement_timeout, '30s');
      const role = await own.query('select rolconnlimit, rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = current_user');
      assert.deepEqual(role.rows[0], { rolconnlimit: 20, rolsuper: false, rolcreatedb: false, rolcreaterole: false });
      await assert.rejects(own.query('create database stolen'), /permission denied/);
      await assert.rejects(own.query('create role sneaky'), /permission denied/);
      // Nor can it learn which databases the server holds (B's among them).
      await assert.rejects(own.query('select datname from pg_database'), /permission denied/);
      await assert.rejects(own.query('select datname from pg_stat_database'), /permission denied/);
    } finally {
      await own.end();
    }
    await assert.rejects(pgConnect(a.pg, b.pg.database!), /permission denied for database/);
    await assert.rejects(pgConnect(b.pg, a.pg.database!), /permission denied for database/);
    await assert.rejects(pgConnect({ ...a.pg, password: b.pg.password }), /password authentication failed/);
    // The platform's own database is on another server, which does not know tenant roles.
    const platform = new URL(t.config.databaseUrl);
    assert.notEqual(`${platform.hostname}:${platform.port}`, a.pg.server, 'the platform database does not share the tenant server');
    const c = new pg.Client({ host: platform.hostname, port: Number(platform.port), database: platform.pathname.slice(1), user: a.pg.username, password: a.pg.password });
    c.on('error', () => {});
    await assert.rejects(c.connect(), /password authentication failed/);
    await c.end().catch(() => undefined);
  });

  test("site A's cache user reads and writes only its own prefix", async () => {
    const [a, b] = tenants as [Tenant, Tenant];
    const ca = cacheAs(a.redis);
    const cb = cacheAs(b.redis);
    try {
      await ca.connect();
      await cb.connect();
      await cb.set(`${b.redis.keyPrefix}secret`, 'b-data');
      await ca.set(`${a.redis.keyPrefix}k`, 'a-data', 'EX', 60);
      assert.equal(await ca.get(`${a.redis.keyPrefix}k`), 'a-data');
      assert.equal(await ca.incr(`${a.redis.keyPrefix}n`), 1);
      await denied(ca.get(`${b.redis.keyPrefix}secret`));
      await denied(ca.set(`${b.redis.keyPrefix}secret`, 'overwritten'));
      await denied(ca.del(`${b.redis.keyPrefix}secret`));
      await denied(ca.rename(`${a.redis.keyPrefix}k`, `${b.redis.keyPrefix}moved`));
      await denied(ca.call('COPY', `${b.redis.keyPrefix}secret`, `${a.redis.keyPrefix}copy`));
      await denied(ca.mget(`${a.redis.keyPrefix}k`, `${b.redis.keyPrefix}secret`));
      await denied(ca.get('unprefixed'));
      await denied(ca.publish(`${b.redis.keyPrefix}events`, 'x'));
      assert.equal(await cb.get(`${b.redis.keyPrefix}secret`), 'b-data', "B's data untouched");
    } finally {
      ca.disconnect();
      cb.disconnect();
    }
  });

  test('cache users cannot enumerate, flush, configure or script the server', async () => {
    const [a, b] = tenants as [Tenant, Tenant];
    const ca = cacheAs(a.redis);
    try {
      await ca.connect();
      const attacks: [string, ...string[]][] = [
        ['KEYS', '*'], ['KEYS', `${a.redis.keyPrefix}*`], ['SCAN', '0'], ['RANDOMKEY'], ['DBSIZE'],
        ['FLUSHALL'], ['FLUSHDB'], ['SWAPDB', '0', '1'], ['SELECT', '1'], ['MOVE', `${a.redis.keyPrefix}k`, '1'],
        ['CONFIG', 'GET', '*'], ['CONFIG', 'SET', 'maxmemory', '1'], ['INFO'], ['MONITOR'],
        ['ACL', 'LIST'], ['ACL', 'SETUSER', a.redis.username, '+@all'], ['CLIENT', 'LIST'], ['CLIENT', 'KILL', 'USER', b.redis.username],
        ['EVAL', 'return 1', '0'], ['FUNCTION', 'LIST'], ['PUBSUB', 'CHANNELS'], ['SHUTDOWN'], ['BGSAVE'], ['SLAVEOF', 'NO', 'ONE'],
        ['SORT', `${a.redis.keyPrefix}list`, 'BY', `${b.redis.keyPrefix}*`], ['MIGRATE', '127.0.0.1', '1', `${a.redis.keyPrefix}k`, '0', '10'],
      ];
      for (const [cmd, ...args] of attacks) await denied(ca.call(cmd, ...args), /NOPERM|no permissions|unknown command/i).catch((e: Error) => { throw new Error(`${cmd} ${args.join(' ')} was not refused: ${e.message}`); });
      // Subscribing to another site's channel is refused too (checked as the server sees it).
      const dry = await admin.call('ACL', 'DRYRUN', a.redis.username, 'SUBSCRIBE', `${b.redis.keyPrefix}events`);
      assert.match(String(dry), /no permissions|NOPERM/i);
      assert.equal(await admin.call('ACL', 'DRYRUN', a.redis.username, 'SUBSCRIBE', `${a.redis.keyPrefix}events`), 'OK');
      assert.equal(await admin.call('ACL', 'DRYRUN', a.redis.username, 'GET', `${a.redis.keyPrefix}x`), 'OK');
      assert.match(String(await admin.call('ACL', 'DRYRUN', a.redis.username, 'GET', `${b.redis.keyPrefix}x`)), /no permissions/i);
      // DEBUG is also off server-wide here; the ACL must refuse it on its own.
      assert.match(String(await admin.call('ACL', 'DRYRUN', a.redis.username, 'DEBUG', 'SLEEP', '0')), /no permissions/i);
      assert.match(String(await admin.call('ACL', 'DRYRUN', a.redis.username, 'KEYS', '*')), /no permissions/i);
    } finally {
      ca.disconnect();
    }
  });

  test('a database over its size quota turns read-only, with a reason the owner sees, until the plan grows', async () => {
    const [, b] = tenants as [Tenant, Tenant];
    const provisioners = createProvisioners(t.config);
    const org = await t.platform.db.selectFrom('organisations').select('id').where('name', '=', owner.org).executeTakeFirstOrThrow();
    try {
      // A fresh database is a few MiB: a 1 MiB quota is spent at once.
      await t.platform.db.updateTable('organisations').set({ quota_overrides: JSON.stringify({ databaseMb: 1 }) }).where('id', '=', org.id).execute();
      const first = await enforceDatabaseQuotas(t.platform, provisioners);
      assert.ok(first.limited.includes(b.id));
      const site = await call(t.app, owner.token, 'GET', `/v1/sites/${b.name}`);
      assert.equal(site.body.status, 'ready');
      assert.match(site.body.statusReason, /over its quota of 1 MiB/);
      const c = await pgConnect(b.pg);
      try {
        await assert.rejects(c.query('create table grow (x int)'), /read-only transaction/);
      } finally {
        await c.end();
      }
      assert.deepEqual((await enforceDatabaseQuotas(t.platform, provisioners)).limited, [], 'flagged once, not again');

      await t.platform.db.updateTable('organisations').set({ quota_overrides: JSON.stringify({}) }).where('id', '=', org.id).execute();
      assert.ok((await enforceDatabaseQuotas(t.platform, provisioners)).released.includes(b.id));
      assert.equal((await call(t.app, owner.token, 'GET', `/v1/sites/${b.name}`)).body.statusReason, null);
      const again = await pgConnect(b.pg);
      try {
        await again.query('create table grow (x int)');
      } finally {
        await again.end();
      }
    } finally {
      await t.platform.db.updateTable('organisations').set({ quota_overrides: JSON.stringify({}) }).where('id', '=', org.id).execute();
      await provisioners.close();
    }
  });

  test('suspending a site refuses its database and cache logins; resuming restores them', async () => {
    const [a] = tenants as [Tenant, Tenant];
    const held = await pgConnect(a.pg);
    held.on('error', () => {});
    assert.equal((await call(t.app, owner.token, 'POST', `/v1/sites/${a.name}/suspend`)).status, 200);
    const until = Date.now() + 10000;
    let refused = false;
    while (Date.now() < until && !refused) {
      refused = await pgConnect(a.pg).then(async (c) => { await c.end(); return false; }, () => true);
      if (!refused) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(refused, 'new Postgres logins refused');
    let ended = false;
    while (Date.now() < until && !ended) {
      ended = await held.query('select 1').then(() => false, () => true);
      if (!ended) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(ended, 'open connections were ended');
    // The cache user is disabled after the database role (one step of the same job): wait for it too.
    let cacheRefused = false;
    while (Date.now() < until && !cacheRefused) {
      const ca = cacheAs(a.redis);
      cacheRefused = await ca.connect().then(() => ca.ping()).then(() => false, () => true);
      ca.disconnect();
      if (!cacheRefused) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(cacheRefused, 'cache logins refused');

    assert.equal((await call(t.app, owner.token, 'POST', `/v1/sites/${a.name}/resume`)).status, 200);
    const until2 = Date.now() + 10000;
    let back = false;
    while (Date.now() < until2 && !back) {
      back = await pgConnect(a.pg).then(async (c) => { await c.end(); return true; }, () => false);
      if (!back) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(back, 'Postgres logins work again');
    const until3 = Date.now() + 10000;
    let pong = '';
    while (Date.now() < until3 && pong !== 'PONG') {
      const again = cacheAs(a.redis);
      pong = await again.connect().then(() => again.ping(), () => '');
      again.disconnect();
    }
    assert.equal(pong, 'PONG', 'cache logins work again');
  });
});
