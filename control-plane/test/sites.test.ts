import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startTestPlatform, adminUrl, type TestPlatform } from './support/platform.js';
import { call, signup, siteName, waitForStatus, type User } from './support/api.js';

async function databaseExists(name: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    const r = await c.query('select 1 from pg_database where datname = $1', [name]);
    return r.rowCount === 1;
  } finally {
    await c.end();
  }
}

describe('sites: create, provision, suspend, resume, delete', () => {
  let t: TestPlatform;
  let owner: User;
  before(async () => {
    t = await startTestPlatform({ worker: true });
    owner = await signup(t.app, 'owner');
  });
  after(async () => { await t.close(); });

  test('a new site is provisioned with its own database and becomes ready, then deletion removes everything', async () => {
    const name = siteName();
    const created = await call(t.app, owner.token, 'POST', '/v1/sites', { name });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    assert.equal(created.body.status, 'provisioning');
    assert.equal(created.body.org, owner.org);
    await waitForStatus(t.app, owner.token, name, 'ready');
    const dbName = `s_${String(created.body.id).replace(/-/g, '')}`;
    assert.equal(await databaseExists(dbName), true);

    const list = await call(t.app, owner.token, 'GET', '/v1/sites');
    assert.deepEqual(list.body.sites.map((s: { name: string }) => s.name), [name]);

    const del = await call(t.app, owner.token, 'DELETE', `/v1/sites/${name}`);
    assert.equal(del.status, 202);
    assert.equal(del.body.status, 'deleting');
    const until = Date.now() + 15000;
    while (Date.now() < until) {
      const row = await t.platform.db.selectFrom('sites').select('status').where('id', '=', created.body.id).executeTakeFirstOrThrow();
      if (row.status === 'deleted') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await databaseExists(dbName), false);
    assert.equal((await call(t.app, owner.token, 'GET', `/v1/sites/${name}`)).status, 404);
    const left = await t.platform.db.selectFrom('site_resources').selectAll().where('site_id', '=', created.body.id).execute();
    assert.deepEqual(left, []);
  });
});
