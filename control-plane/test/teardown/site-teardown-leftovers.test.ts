// Attack: an organisation waits for a site to be deleted, creates one of the same name and
// inherits what teardown left behind: the old containers (their logs), network, routes, domains.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DockerDriver } from '../../src/drivers/docker.js';
import { ensureBaseImage } from '../../src/images/base-image.js';
import { openDeployRuntime, useDeployRuntime } from '../../src/platform/deploy-runtime.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { call, signup, siteName, waitForStatus } from '../support/api.js';

const driver = new DockerDriver({ namePrefix: `pdk-td${randomBytes(3).toString('hex')}` });
let t: TestPlatform;

before(async () => {
  t = await startTestPlatform({ worker: true });
  useDeployRuntime(t.platform, openDeployRuntime(t.platform, { driver, namespace: `pdk-td-${randomBytes(4).toString('hex')}` }));
});
after(async () => {
  await t.close();
});

test('deleting a site removes its containers, network, route and domains, so a new site of that name inherits none', async () => {
  const owner = await signup(t.app, 'td-owner');
  const name = siteName('td');
  assert.equal((await call(t.app, owner.token, 'POST', '/v1/sites', { name })).status, 202);
  const site = (await waitForStatus(t.app, owner.token, name, 'ready')).body as { id: string };
  const ddb = t.platform.db;
  try {
    // What a deploy leaves: a deploy row, a replica on the site's network, a route, a verified domain.
    await ddb.insertInto('deploys').values({ site_id: site.id, status: 'succeeded', artifact_key: null, artifact_sha256: null, artifact_size: null, source_release_id: null, release_id: null, error: null, created_by: null }).execute();
    const base = await ensureBaseImage(driver.docker);
    await driver.create({ site: name, release: 'r1', replica: 0, image: base.ref, command: ['-e', 'setInterval(()=>{},1e3)'], env: {}, port: 8000, limits: { memoryMb: 64, cpus: 0.25, pids: 32 } });
    await ddb.insertInto('site_routes').values({ site_id: site.id, release_id: null, state: 'serving', upstreams: JSON.stringify([]) }).execute();
    const domain = await call(t.app, owner.token, 'POST', `/v1/sites/${name}/domains`, { hostname: `www.${name}.${t.platform.config.siteDomain}` });
    assert.equal(domain.status, 201, JSON.stringify(domain.body));
    assert.equal((await driver.list(name)).length, 1);

    assert.equal((await call(t.app, owner.token, 'DELETE', `/v1/sites/${name}`)).status, 202);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const row = await t.platform.db.selectFrom('sites').select('status').where('id', '=', site.id).executeTakeFirstOrThrow();
      if (row.status === 'deleted') break;
      if (Date.now() > deadline) throw new Error(`teardown did not finish: ${row.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    assert.deepEqual(await driver.list(name), [], 'no container of the old site left');
    const networks = await driver.docker.listNetworks({ filters: { name: [driver.networkName(name)] } });
    assert.deepEqual(networks.filter((n) => n.Name === driver.networkName(name)), [], 'its network is gone');
    assert.deepEqual(await ddb.selectFrom('site_routes').select('site_id').where('site_id', '=', site.id).execute(), [], 'its route is gone');
    assert.deepEqual(await ddb.selectFrom('site_domains').select('host').where('site_id', '=', site.id).execute(), [], 'its domains are gone');
  } finally {
    await driver.removeSite(name).catch(() => undefined);
  }
});
