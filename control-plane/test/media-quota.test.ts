// The media quota on the platform's side: each ready site's media volume is measured (the engine's count, as `docker
// system df -v`) against its plan's mediaMb; crossing it is recorded (audit event, status reason) and cleared when the
// site is back within. The runtime refuses uploads past the same quota itself (runtime/test/files).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerDriver } from '../src/drivers/docker.js';
import { ensureBaseImage } from '../src/images/base-image.js';
import { checkMediaQuotas } from '../src/jobs/database-quota.js';
import { quotasOf } from '../src/orgs/plans.js';
import { call, signup, siteName, type User } from './support/api.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';

const driver = new DockerDriver({ namePrefix: 'pdk' });
let t: TestPlatform;
let owner: User;
const name = siteName('mq');

before(async () => {
  t = await startTestPlatform();
  owner = await signup(t.app, 'media');
  assert.equal((await call(t.app, owner.token, 'POST', '/v1/sites', { name })).status, 202);
  await t.platform.db.updateTable('sites').set({ status: 'ready' }).where('name', '=', name).execute();
});
after(async () => {
  await driver.removeSite(name);
  await t?.close();
});

test('a site whose media volume outgrows its plan\'s mediaMb is flagged, with an audit event, until it is back within', async () => {
  assert.equal(quotasOf('free', {}).mediaMb, 512);
  const base = await ensureBaseImage(driver.docker);
  const write = await driver.exec({
    site: name, release: 'v1', replica: 0, image: base.ref, port: 0, env: {}, limits: { memoryMb: 64, cpus: 0.5, pids: 16 },
    command: ['-e', "require('fs').writeFileSync(process.env.PADDOCK_MEDIA_ROOT+'/big.bin', Buffer.alloc(2*1024*1024))"],
  }, { timeoutMs: 60_000 });
  assert.equal(write.exitCode, 0);
  const org = await t.platform.db.selectFrom('organisations').select('id').where('name', '=', owner.org).executeTakeFirstOrThrow();
  const site = await t.platform.db.selectFrom('sites').select('id').where('name', '=', name).executeTakeFirstOrThrow();

  assert.deepEqual(await checkMediaQuotas(t.platform, driver), { over: [], within: [] }, '2 MiB is within the free plan');
  await t.platform.db.updateTable('organisations').set({ quota_overrides: JSON.stringify({ mediaMb: 1 }) }).where('id', '=', org.id).execute();
  assert.deepEqual((await checkMediaQuotas(t.platform, driver)).over, [site.id]);
  assert.match((await call(t.app, owner.token, 'GET', `/v1/sites/${name}`)).body.statusReason, /media over its quota of 1 MiB: new uploads are refused/);
  assert.deepEqual((await checkMediaQuotas(t.platform, driver)).over, [], 'flagged once');
  const events = await t.platform.db.selectFrom('audit_events').select(['action', 'details']).where('target_id', '=', site.id).execute();
  assert.ok(events.some((e) => e.action === 'site.media_over_quota'), JSON.stringify(events));

  await t.platform.db.updateTable('organisations').set({ quota_overrides: JSON.stringify({}) }).where('id', '=', org.id).execute();
  assert.deepEqual((await checkMediaQuotas(t.platform, driver)).within, [site.id]);
  assert.equal((await call(t.app, owner.token, 'GET', `/v1/sites/${name}`)).body.statusReason, null);
});
