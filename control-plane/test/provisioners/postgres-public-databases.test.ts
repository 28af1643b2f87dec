// Attack: a tenant's role (its credentials are in the site's environment) connects to the
// server's other databases: `postgres`, `template1`, the platform's own database.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { PostgresProvisioner } from '../../src/provisioners/postgres.js';
import type { TenantResource } from '../../src/provisioners/provisioner.js';
import { adminUrl, createDatabase } from '../support/platform.js';

let platformDb: Awaited<ReturnType<typeof createDatabase>>;
let provisioner: PostgresProvisioner;
let tenant: TenantResource;

before(async () => {
  platformDb = await createDatabase(); // stands in for the platform database on the same server
  // A fresh server's defaults (an earlier run revoked them server-wide): so this test can fail.
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query('GRANT CONNECT, TEMPORARY ON DATABASE postgres, template1 TO PUBLIC');
  await admin.end();
  provisioner = new PostgresProvisioner([adminUrl()], { connectionLimit: 5, statementTimeout: '5s', spareDatabases: 0, platformDatabaseUrl: platformDb.url });
  const siteId = randomUUID();
  tenant = { siteId, kind: 'postgres', server: provisioner.servers[0]!, ...provisioner.names(siteId), password: randomBytes(16).toString('hex') };
  await provisioner.ensure(tenant);
});
after(async () => {
  await provisioner.destroy(tenant);
  await provisioner.close();
  await platformDb.drop();
});

async function connectAsTenant(database: string): Promise<string> {
  const u = new URL(adminUrl());
  u.username = tenant.username;
  u.password = tenant.password;
  u.pathname = `/${database}`;
  const c = new pg.Client({ connectionString: u.toString() });
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

test('a tenant role cannot connect to postgres, template1 or the platform database, only to its own', async () => {
  assert.equal(await connectAsTenant(tenant.database!), 'connected');
  for (const other of ['postgres', 'template1', platformDb.name]) {
    assert.equal(await connectAsTenant(other), '42501', `connecting to ${other} is refused with insufficient_privilege`);
  }
});
