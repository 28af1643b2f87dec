// The platform's own parts hold no more than they need (README, "Security"):
// the control plane's Postgres role is no superuser and owns only the platform database, tenant
// provisioning has CREATEDB and CREATEROLE on a server of its own, and the state dir's secrets are
// the platform user's alone. Checked on the servers and state dir `npm test` runs against.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { serverKey } from '../src/provisioners/provisioner.js';
import { tenantAdminUrl } from './support/platform.js';

async function asRole<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const attributes = 'select rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls from pg_roles where rolname = current_user';

test('the platform role is no superuser, may create nothing and owns only the platform database, on a server of its own', async () => {
  const platformUrl = process.env.PADDOCK_DATABASE_URL;
  assert.ok(platformUrl, 'PADDOCK_DATABASE_URL is set (npm test sets it)');
  await asRole(platformUrl, async (c) => {
    assert.deepEqual((await c.query(attributes)).rows[0], { rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolreplication: false, rolbypassrls: false });
    const owned = await c.query("select datname from pg_database where datdba = (select oid from pg_roles where rolname = current_user)");
    assert.deepEqual(owned.rows.map((r) => r.datname), [new URL(platformUrl).pathname.slice(1)]);
    await assert.rejects(c.query('create database pdk_stolen'), /permission denied/);
    await assert.rejects(c.query('create role pdk_sneaky'), /permission denied/);
    await assert.rejects(c.query("copy (select 1) to program 'true'"), /permission denied|must be superuser|not allowed/);
  });
  assert.notEqual(serverKey(platformUrl, 5432), serverKey(tenantAdminUrl(), 5432), 'the tenant pool is another server');
});

test('tenant provisioning logs in with CREATEDB and CREATEROLE, nothing more', async () => {
  await asRole(tenantAdminUrl(), async (c) => {
    assert.deepEqual((await c.query(attributes)).rows[0], { rolsuper: false, rolcreatedb: true, rolcreaterole: true, rolreplication: false, rolbypassrls: false });
    await assert.rejects(c.query('create role pdk_sneaky superuser'), /must be superuser|permission denied to create role/);
    await assert.rejects(c.query("copy (select 1) to program 'true'"), /permission denied|must be superuser|not allowed/);
  });
});

test("the state dir's secrets are readable by the platform's user only", () => {
  const dir = process.env.PADDOCK_STATE_DIR;
  assert.ok(dir, 'PADDOCK_STATE_DIR is set (npm test sets it)');
  const mode = (p: string) => statSync(p).mode & 0o777;
  assert.equal(mode(dir).toString(8), '700', `${dir} lets no one else in`);
  for (const file of ['secrets.env', 'stack.env']) assert.equal(mode(join(dir, file)).toString(8), '600', file);
  // The folders the dev stack keeps there (Redis data and the cache pool's ACL file, logs).
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory() && (name.startsWith('redis-') || name === 'log')) assert.equal(mode(p).toString(8), '700', name);
  }
  // Another local user, tried for real where this runs as root.
  if (process.getuid?.() === 0) {
    const r = spawnSync('runuser', ['-u', 'nobody', '--', 'cat', join(dir, 'secrets.env')], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /Permission denied/);
  }
});
