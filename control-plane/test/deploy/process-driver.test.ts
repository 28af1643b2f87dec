import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'bullmq';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { call, signup, siteName, waitForStatus, type User } from '../support/api.js';
import { EdgeService } from '../../src/edge/edge-service.js';
import { startDeployWorker } from '../../src/jobs/deploy.js';
import { openDeployRuntime, useDeployRuntime } from '../../src/releases/deploy-runtime.js';
import { deploySettings } from '../../src/config.js';
import type { DeployDeps } from '../../src/releases/deploys.js';
import { fetchVia, freePort, packSite, push } from './support.js';

let t: TestPlatform;
let owner: User;
let deps: DeployDeps;
let edge: EdgeService;
let worker: Worker;
let port: number;
const site = siteName('pd');
const scratch = mkdtempSync(join(tmpdir(), 'pdk-process-driver-'));

before(async () => {
  t = await startTestPlatform({ worker: true });
  deps = openDeployRuntime(t.platform, { settings: { ...deploySettings(t.platform.config), driver: 'process', buildDir: join(scratch, 'builds'), artifactsDir: join(scratch, 'artifacts') } });
  useDeployRuntime(t.platform, deps);
  worker = startDeployWorker(t.platform);
  owner = await signup(t.app, 'procdev');
  assert.equal((await call(t.app, owner.token, 'POST', '/v1/sites', { name: site })).status, 202);
  await waitForStatus(t.app, owner.token, site, 'ready', 30_000);
  port = await freePort();
  edge = new EdgeService(deps, { dir: join(scratch, 'edge'), port, bind: '127.0.0.1', adminPort: 0 });
  await edge.start();
});

after(async () => {
  await edge?.stop();
  await worker?.close();
  await deps?.driver.removeSite(site);
  await t?.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('the same pipeline deploys with the process driver (development without Docker) and serves through the edge', async () => {
  assert.equal(deps.driver.kind, 'process');
  assert.equal(deps.driver.isolates, false);
  const r = await push(t.app, owner.token, site, await packSite(join(import.meta.dirname, 'fixtures/hello')));
  assert.equal(r.status, 'succeeded', r.log.join('\n'));
  const page = await fetchVia(port, `${site}.localhost`);
  assert.equal(page.status, 200);
  assert.equal(page.body, 'hello from release');
});
