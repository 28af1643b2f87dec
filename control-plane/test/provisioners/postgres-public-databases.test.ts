// Attack: a tenant's role (its credentials are in the site's environment) connects to the
// tenant server's other databases — `postgres`, `template1`, another site's — and to the platform
// server, and lists the server's databases. And the provisioning role, which is no superuser,
// refuses to place tenants on a server where it cannot close a database to them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { PostgresProvisioner } from '../../src/provisioners/postgres.js';
import type { TenantResource } from '../../src/provisioners/provisioner.js';
import { suffix, tenantAdminUrl } from '../support/platform.js';

let provisioner: PostgresProvisioner;
let tenant: TenantResource;
let other: TenantResource;

function tenantOf(p: PostgresProvisioner): TenantResource {
  const siteId = randomUUID();
  return { siteId, kind: 'postgres', server: p.servers[0]!, ...p.names(siteId), password: randomBytes(16).toString('hex') };
}

before(async () => {
  provisioner = new PostgresProvisioner([tenantAdminUrl()], { connectionLimit: 5, statementTimeout: '5s', spareDatabases: 0 });
  tenant = tenantOf(provisioner);
  other = tenantOf(provisioner);
  await provisioner.ensure(tenant);
  await provisioner.ensure(other);
});
after(async () => {
  await provisioner.destroy(tenant);
  await provisioner.destroy(other);
  await provisioner.close();
});

function urlOf(r: TenantResource, database: string, server = tenantAdminUrl()): string {
  const u = new URL(server);
  u.username = r.username;
  u.password = r.password;
  u.pathname = `/${database}`;
  return u.toString();
}

/** 'connected', or the SQLSTATE the server refused with. */
async function connectAsTenant(database: string, server?: string): Promise<string> {
  const c = new pg.Client({ connectionString: urlOf(tenant, database, server) });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('select 1');
    return 'connected';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  } finally {
    await c.end().catch(() => undefined);
  }
}

test("a tenant role connects to its own database only: not postgres, template1, another site's, nor the platform server", async () => {
  assert.equal(await connectAsTenant(tenant.database!), 'connected');
  for (const database of ['postgres', 'template1', other.database!]) {
    assert.equal(await connectAsTenant(database), '42501', `connecting to ${database} is refused with insufficient_privilege`);
  }
  // The platform database lives on another server, where tenant roles do not exist.
  const platform = new URL(process.env.PADDOCK_DATABASE_URL!);
  assert.notEqual(`${platform.hostname}:${platform.port}`, provisioner.servers[0], 'the platform database is not on the tenant server');
  assert.equal(await connectAsTenant(platform.pathname.slice(1), platform.toString()), '28P01', 'the platform server does not know the role');
});

test("a tenant role cannot list the server's databases nor see who is connected to them, and its own work is unaffected", async () => {
  const held = new pg.Client({ connectionString: urlOf(other, other.database!) });
  await held.connect(); // another site's session, which must not show
  const c = new pg.Client({ connectionString: urlOf(tenant, tenant.database!) });
  await c.connect();
  try {
    for (const listing of ['select datname from pg_database', 'select datname from pg_stat_database', 'select datname, usename from pg_stat_activity', 'select datname from pg_stat_database_conflicts']) {
      await assert.rejects(c.query(listing), (e: { code?: string }) => e.code === '42501', `${listing} is refused`);
    }
    await assert.rejects(c.query('select pg_database_size($1)', [other.database]), (e: { code?: string }) => e.code === '42501');
    // What a site, its ORM and its migrations do still works.
    assert.equal((await c.query('select current_database() as db')).rows[0].db, tenant.database);
    await c.query('create table notes (id serial primary key, body text)');
    const tables = await c.query("select table_name from information_schema.tables where table_schema = 'public'");
    assert.deepEqual(tables.rows, [{ table_name: 'notes' }]);
    assert.ok(Number((await c.query('select pg_database_size(current_database()) as n')).rows[0].n) > 0);
  } finally {
    await c.end();
    await held.end();
  }
});

test('the provisioning role refuses a server where every role may connect to a database it cannot close', async () => {
  // A database owned by a role the provisioning role is not a member of (it may make both: it has
  // CREATEROLE and CREATEDB), with Postgres' default of CONNECT for PUBLIC.
  const owner = `pdk_t_owner_${suffix()}`;
  const database = `pdk_t_open_${suffix()}`;
  const admin = new pg.Client({ connectionString: tenantAdminUrl() });
  await admin.connect();
  try {
    await admin.query(`create role ${owner} nologin`);
    await admin.query(`grant ${owner} to current_user`);
    await admin.query(`create database ${database} owner ${owner}`);
    await admin.query(`revoke ${owner} from current_user`);
    const u = new URL(tenantAdminUrl());
    u.pathname = `/${database}`;
    const strict = new PostgresProvisioner([u.toString()], { connectionLimit: 5, statementTimeout: '5s', spareDatabases: 0 });
    const victim = tenantOf(strict);
    try {
      await assert.rejects(strict.ensure(victim), new RegExp(`Every role may connect to the database\\(s\\) ${database}[^]*REVOKE CONNECT, TEMPORARY ON DATABASE "${database}" FROM PUBLIC`));
      assert.equal((await admin.query('select 1 from pg_roles where rolname = $1', [victim.username])).rowCount, 0, 'nothing of the tenant was made');
    } finally {
      await strict.close();
    }
  } finally {
    await admin.query(`grant ${owner} to current_user`).catch(() => undefined);
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.query(`drop role if exists ${owner}`);
    await admin.end();
  }
});
