import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { call, signup, siteName, waitForStatus, type User } from '../support/api.js';
import { EdgeService } from '../../src/edge/edge-service.js';
import { deployRuntimeOf } from '../../src/platform/deploy-runtime.js';
import { removeReleaseImages } from '../../src/images/release-image.js';
import type { DockerDriver } from '../../src/drivers/docker.js';
import { sleepIdleSites } from '../../src/jobs/sleep.js';
import { startDeployWorker } from '../../src/jobs/deploy.js';
import type { Worker } from 'bullmq';
import { fetchVia, freePort, packSite, push, follow, typeErrorSite } from './support.js';

const fixtures = join(import.meta.dirname, 'fixtures');

describe('deploy pipeline: push, release, route, fail safely, roll back', () => {
  let t: TestPlatform;
  let owner: User;
  let edge: EdgeService;
  let port: number;
  let deployWorker: Worker;
  const site = siteName('dp');
  const host = `${site}.localhost`;
  const edgeDir = mkdtempSync(join(tmpdir(), 'pdk-pipeline-edge-'));

  before(async () => {
    t = await startTestPlatform({ worker: true });
    deployWorker = startDeployWorker(t.platform);
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
    await deployWorker?.close();
    await deps.driver.removeSite(site);
    await removeReleaseImages((deps.driver as DockerDriver).docker, site);
    await t.close();
    rmSync(edgeDir, { recursive: true, force: true });
  });

  test('the blog starter goes live behind the edge, a broken push keeps it serving, env changes and rollback re-release', async () => {
    const before = await fetchVia(port, host);
    assert.equal(before.status, 404, 'no release yet: the edge does not know the host');

    const blog = await push(t.app, owner.token, site, await packSite(join(import.meta.dirname, '../../../runtime/starters/blog')));
    assert.equal(blog.status, 'succeeded', blog.log.join('\n'));
    assert.equal(blog.version, 1);
    assert.ok(blog.log.some((l) => /release phase: applying migrations/.test(l)), blog.log.join('\n'));
    const index = await fetchVia(port, host);
    if (index.status !== 200) {
      const logs = await call(t.app, owner.token, 'GET', `/v1/sites/${site}/logs?lines=40`);
      const app = (logs.body.lines as Array<{ source: string; line: string }>).filter((l) => l.source === 'app').map((l) => l.line);
      assert.fail(`the blog answered ${index.status}: ${index.body.slice(0, 300)}\n${app.join('\n').slice(-3000)}`);
    }
    assert.match(index.body, /<html/i);
    assert.equal(index.headers['x-frame-options'], 'DENY', 'the runtime answered, with its security headers');
    const feed = await fetchVia(port, host, '/feed/');
    assert.equal(feed.status, 200, feed.body);
    assert.match(feed.body, /<rss|<feed/);
    assert.equal((await fetchVia(port, host, '/posts.json')).status, 200);

    const broken = await push(t.app, owner.token, site, await packSite(join(fixtures, 'broken')));
    assert.equal(broken.status, 'failed');
    assert.match(broken.error ?? '', /previous one keeps serving/);
    assert.match(broken.error ?? '', /its log says: Error: this release is broken on purpose/, 'the summary quotes the error, not Node\'s last line');
    assert.equal((await fetchVia(port, host)).status, 200, 'the old release still serves');
    assert.match((await fetchVia(port, host, '/feed/')).body, /<rss|<feed/);

    const typeErrorDir = typeErrorSite();
    const typeError = await push(t.app, owner.token, site, await packSite(typeErrorDir)).finally(() => rmSync(typeErrorDir, { recursive: true, force: true }));
    assert.equal(typeError.status, 'failed');
    assert.match(typeError.error ?? '', /views\.ts:3:14 - error TS2322: Type 'string' is not assignable to type 'number'/);
    assert.ok(typeError.log.includes("views.ts:3:14 - error TS2322: Type 'string' is not assignable to type 'number'."), typeError.log.join('\n'));
    assert.equal((await fetchVia(port, host)).status, 200, 'the old release still serves');

    const hello = await push(t.app, owner.token, site, await packSite(join(fixtures, 'hello')));
    assert.equal(hello.status, 'succeeded', hello.log.join('\n'));
    assert.equal((await fetchVia(port, host)).body, 'hello from release');

    const env = await call(t.app, owner.token, 'PATCH', `/v1/sites/${site}/env`, { vars: { GREETING: 'an env change', SITE_ENV_PROBE: 'set' } });
    assert.equal(env.status, 200, JSON.stringify(env.body));
    const envDeploy = await follow(t.app, owner.token, site, env.body.deploy.id);
    assert.equal(envDeploy.status, 'succeeded', envDeploy.log.join('\n'));
    assert.equal(envDeploy.version, 4);
    assert.equal((await fetchVia(port, host)).body, 'hello from an env change');
    assert.equal((await fetchVia(port, host, '/env/')).body, 'set');
    const reserved = await call(t.app, owner.token, 'PATCH', `/v1/sites/${site}/env`, { vars: { DATABASE_URL: 'postgres://evil' } });
    assert.equal(reserved.status, 400);

    const releases = await call(t.app, owner.token, 'GET', `/v1/sites/${site}/releases`);
    // The push with a type error made no release: it failed in its build.
    assert.deepEqual(releases.body.releases.map((r: { version: number; status: string }) => `${r.version}:${r.status}`), ['4:live', '3:superseded', '2:failed', '1:superseded']);

    const rb = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/rollback`, { version: 1 });
    assert.equal(rb.status, 202, JSON.stringify(rb.body));
    const rolled = await follow(t.app, owner.token, site, rb.body.id);
    assert.equal(rolled.status, 'succeeded', rolled.log.join('\n'));
    assert.equal(rolled.version, 5);
    const back = await fetchVia(port, host, '/feed/');
    assert.equal(back.status, 200);
    assert.match(back.body, /<rss|<feed/, 'the blog serves again');
    const after = await call(t.app, owner.token, 'GET', `/v1/sites/${site}/releases`);
    assert.equal(after.body.releases[0].status, 'live');
    assert.match(after.body.releases[0].description, /Rollback to v1 \(code and env vars\)/);

    const logs = await call(t.app, owner.token, 'GET', `/v1/sites/${site}/logs?lines=500`);
    assert.equal(logs.status, 200);
    const sources = new Set(logs.body.lines.map((l: { source: string }) => l.source));
    assert.ok(sources.has('build') && sources.has('release'), [...sources].join(','));
  });

  test('unknown hosts get the 404 page, a suspended site the 503 page and starts again once resumed', async () => {
    assert.equal((await fetchVia(port, 'nobody-here.localhost')).status, 404);
    // Visitors during the suspension see the site, then the 503 page: never a 500 from a site
    // whose database login was refused before the edge switched.
    const seen: number[] = [];
    let loading = true;
    const load = (async () => {
      while (loading) seen.push((await fetchVia(port, host)).status);
    })();
    const s = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/suspend`);
    assert.equal(s.status, 200, JSON.stringify(s.body));
    // The provision job disables the logins; it is done once the site's database role is locked.
    await waitForStatus(t.app, owner.token, site, 'suspended', 30_000);
    const resources = await t.platform.db.selectFrom('site_resources').select(['kind', 'username', 'server'])
      .innerJoin('sites', 'sites.id', 'site_resources.site_id').where('sites.name', '=', site).execute();
    const pgRole = resources.find((r) => r.kind === 'postgres')!.username;
    const admin = new (await import('pg')).default.Client({ connectionString: process.env.PADDOCK_PG_ADMIN_URL });
    await admin.connect();
    try {
      const deadline = Date.now() + 30_000;
      while ((await admin.query('select rolcanlogin from pg_roles where rolname = $1', [pgRole])).rows[0]?.rolcanlogin !== false) {
        assert.ok(Date.now() < deadline, 'the suspension disabled the database login');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await admin.end();
    }
    // A few requests after the logins went, then stop.
    const after = seen.length;
    while (seen.length < after + 5) await new Promise((r) => setTimeout(r, 20));
    loading = false;
    await load;
    assert.deepEqual([...new Set(seen)].filter((c) => c !== 200 && c !== 503), [], `statuses during the suspension: ${seen.join(' ')}`);
    assert.equal(seen.at(-1), 503);
    await edge.sync();
    const suspended = await fetchVia(port, host);
    assert.equal(suspended.status, 503);
    assert.deepEqual((await sleepIdleSites(deployRuntimeOf(t.platform))).stopped, [site], 'a suspended site stops');
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

  test('a domain under the platform domain routes at once, a custom one waits for its TXT record, scaling keeps to the quota', async () => {
    const extra = `www.${host}`;
    const added = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/domains`, { hostname: extra });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.verified, true);
    const deploys = await call(t.app, owner.token, 'GET', `/v1/sites/${site}/deploys`);
    const envRelease = await follow(t.app, owner.token, site, deploys.body.deploys[0].id);
    assert.equal(envRelease.status, 'succeeded', envRelease.log.join('\n'));
    assert.equal((await fetchVia(port, extra)).status, 200, 'the new host name reaches the site');

    const custom = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/domains`, { hostname: `${site}.example.invalid` });
    assert.equal(custom.status, 201);
    assert.equal(custom.body.verified, false);
    assert.equal(custom.body.verification.type, 'TXT');
    assert.equal((await fetchVia(port, `${site}.example.invalid`)).status, 404, 'not routed before verification');
    const verify = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/domains/${site}.example.invalid/verify`);
    assert.equal(verify.status, 400);
    assert.match(verify.body.error.message, /TXT record/);
    const taken = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/domains`, { hostname: 'someone-else.localhost' });
    assert.equal(taken.status, 409, "another site's name under the platform domain is not for the taking");

    const scale = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/scale`, { replicas: 5 });
    assert.equal(scale.status, 403, JSON.stringify(scale.body));
    assert.equal(scale.body.error.code, 'PDK_QUOTA_EXCEEDED');
  });
});
