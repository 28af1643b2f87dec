import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { call, signup, siteName, waitForStatus, type User } from '../support/api.js';
import { EdgeService } from '../../src/edge/edge-service.js';
import { deployRuntimeOf } from '../../src/releases/deploy-runtime.js';
import { removeReleaseImages } from '../../src/images/release-image.js';
import type { DockerDriver } from '../../src/drivers/docker.js';
import { sleepIdleSites } from '../../src/jobs/sleep.js';
import { fetchVia, freePort, packSite, push, follow } from './support.js';

const fixtures = join(import.meta.dirname, 'fixtures');

describe('deploy pipeline: push, release, route, fail safely, roll back', () => {
  let t: TestPlatform;
  let owner: User;
  let edge: EdgeService;
  let port: number;
  const site = siteName('dp');
  const host = `${site}.localhost`;
  const edgeDir = mkdtempSync(join(tmpdir(), 'pdk-pipeline-edge-'));

  before(async () => {
    t = await startTestPlatform({ worker: true });
    owner = await signup(t.app, 'deployer');
    assert.equal((await call(t.app, owner.token, 'POST', '/v1/sites', { name: site })).status, 202);
    await waitForStatus(t.app, owner.token, site, 'ready', 30_000);
    port = await freePort();
    edge = new EdgeService(deployRuntimeOf(t.platform), { dir: edgeDir, port, bind: '127.0.0.1', adminPort: 0 });
    await edge.start();
  });

  after(async () => {
    const deps = deployRuntimeOf(t.platform);
    await edge?.stop();
    await deps.driver.removeSite(site);
    await removeReleaseImages((deps.driver as DockerDriver).docker, site);
    await t.close();
    rmSync(edgeDir, { recursive: true, force: true });
  });

  test('a pushed site goes live behind the edge, a broken push keeps it serving, env changes and rollback re-release', async () => {
    const before = await fetchVia(port, host);
    assert.equal(before.status, 404, 'no release yet: the edge does not know the host');

    const t0 = Date.now();
    const first = await push(t.app, owner.token, site, await packSite(join(fixtures, 'hello')));
    assert.equal(first.status, 'succeeded', first.log.join('\n'));
    assert.equal(first.version, 1);
    assert.ok(first.log.some((l) => /compiling 1 TypeScript/.test(l)), first.log.join('\n'));
    const live = await fetchVia(port, host);
    assert.equal(live.status, 200);
    assert.equal(live.body, 'hello from release');
    const pushToLive = Date.now() - t0;

    const broken = await push(t.app, owner.token, site, await packSite(join(fixtures, 'broken')));
    assert.equal(broken.status, 'failed');
    assert.match(broken.error ?? '', /previous one keeps serving/);
    assert.equal((await fetchVia(port, host)).body, 'hello from release', 'the old release still serves');

    const env = await call(t.app, owner.token, 'PATCH', `/v1/sites/${site}/env`, { vars: { GREETING: 'an env change', SITE_ENV_PROBE: 'set' } });
    assert.equal(env.status, 200, JSON.stringify(env.body));
    const envDeploy = await follow(t.app, owner.token, site, env.body.deploy.id);
    assert.equal(envDeploy.status, 'succeeded', envDeploy.log.join('\n'));
    assert.equal(envDeploy.version, 3);
    assert.equal((await fetchVia(port, host)).body, 'hello from an env change');
    assert.equal((await fetchVia(port, host, '/env/')).body, 'set');
    const reserved = await call(t.app, owner.token, 'PATCH', `/v1/sites/${site}/env`, { vars: { DATABASE_URL: 'postgres://evil' } });
    assert.equal(reserved.status, 400);

    const releases = await call(t.app, owner.token, 'GET', `/v1/sites/${site}/releases`);
    assert.deepEqual(releases.body.releases.map((r: { version: number; status: string }) => `${r.version}:${r.status}`), ['3:live', '2:failed', '1:superseded']);

    const rb = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/rollback`, { version: 1 });
    assert.equal(rb.status, 202, JSON.stringify(rb.body));
    const rolled = await follow(t.app, owner.token, site, rb.body.id);
    assert.equal(rolled.status, 'succeeded', rolled.log.join('\n'));
    assert.equal(rolled.version, 4);
    assert.equal((await fetchVia(port, host)).status, 200);
    const after = await call(t.app, owner.token, 'GET', `/v1/sites/${site}/releases`);
    assert.equal(after.body.releases[0].status, 'live');
    assert.match(after.body.releases[0].description, /rollback of v1/);

    const logs = await call(t.app, owner.token, 'GET', `/v1/sites/${site}/logs?lines=500`);
    assert.equal(logs.status, 200);
    const sources = new Set(logs.body.lines.map((l: { source: string }) => l.source));
    assert.ok(sources.has('build') && sources.has('release'), [...sources].join(','));
    t.platform.logger.info({ pushToLive }, 'push to live');
  });

  test('unknown hosts get the 404 page and a suspended site the 503 page', async () => {
    assert.equal((await fetchVia(port, 'nobody-here.localhost')).status, 404);
    const s = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/suspend`);
    assert.equal(s.status, 200, JSON.stringify(s.body));
    await edge.sync();
    const suspended = await fetchVia(port, host);
    assert.equal(suspended.status, 503);
    assert.equal((await call(t.app, owner.token, 'POST', `/v1/sites/${site}/resume`)).status, 200);
    await waitForStatus(t.app, owner.token, site, 'ready', 30_000);
    await edge.sync();
    assert.equal((await fetchVia(port, host)).status, 200);
  });

  test('an idle site is paused, then stopped, and the next request wakes it through the activator', async () => {
    const deps = deployRuntimeOf(t.platform);
    const quick = { ...deps, settings: { ...deps.settings, sleep: { ...deps.settings.sleep, free: { pauseAfterS: 1, stopAfterS: 2 } } } };
    const states = async () => (await deps.driver.list(site)).map((r) => r.status);
    assert.deepEqual(await states(), ['running']);

    const paused = await sleepIdleSites(quick, new Date(Date.now() + 1500));
    assert.deepEqual(paused.paused, [site]);
    assert.deepEqual(await states(), ['paused']);
    let t0 = performance.now();
    const woke = await fetchVia(port, host);
    const fromPaused = performance.now() - t0;
    assert.equal(woke.status, 200);
    assert.deepEqual(await states(), ['running']);

    await sleepIdleSites(quick, new Date(Date.now() + 1500));
    const stopped = await sleepIdleSites(quick, new Date(Date.now() + 5000));
    assert.deepEqual(stopped.stopped, [site]);
    assert.deepEqual(await states(), ['exited']);
    t0 = performance.now();
    const again = await fetchVia(port, host);
    const fromStopped = performance.now() - t0;
    assert.equal(again.status, 200, again.body);
    assert.deepEqual(await states(), ['running']);
    await edge.sync();
    assert.equal((await fetchVia(port, host)).status, 200, 'routed straight to the replica again');
    t.platform.logger.info({ fromPaused, fromStopped }, 'wake times');
  });
});
