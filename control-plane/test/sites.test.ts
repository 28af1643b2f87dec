import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startTestPlatform, tenantAdminUrl, lifecycleWorkers, type TestPlatform } from './support/platform.js';
import { enqueuePending, startWorkers } from '../src/jobs/workers.js';
import { call, signup, siteName, waitForStatus, type User } from './support/api.js';

async function databaseExists(name: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: tenantAdminUrl() });
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

describe('sites whose job never reached the queue', () => {
  let t: TestPlatform;
  before(async () => { t = await startTestPlatform(); });
  after(async () => { await t.close(); });

  test('a create answered while the queue is unreachable is provisioned by the workers\' sweep', async () => {
    const owner = await signup(t.app, 'sweep');
    const queue = t.platform.queues.provision;
    const add = queue.add.bind(queue);
    queue.add = async () => { throw new Error('Connection is closed.'); };
    const name = siteName();
    let created;
    try {
      created = await call(t.app, owner.token, 'POST', '/v1/sites', { name });
    } finally {
      queue.add = add;
    }
    assert.equal(created.status, 202, 'the committed change is not reported as a failure');
    assert.equal(await queue.getJobCountByTypes('waiting', 'delayed', 'active'), 0, 'nothing was queued');
    assert.equal(await enqueuePending(t.platform), 1);
    const workers = startWorkers(t.platform, {}, lifecycleWorkers);
    try {
      await waitForStatus(t.app, owner.token, name, 'ready');
      assert.equal((await call(t.app, owner.token, 'DELETE', `/v1/sites/${name}`)).status, 202);
      const until = Date.now() + 15000;
      while (Date.now() < until) {
        const row = await t.platform.db.selectFrom('sites').select('status').where('name', '=', name).executeTakeFirstOrThrow();
        if (row.status === 'deleted') break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await workers.close();
    }
  });
});
