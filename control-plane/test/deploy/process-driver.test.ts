import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { deployedSiteFixture, fetchVia, typeErrorSite, type DeployedSiteFixture } from './support.js';

let f: DeployedSiteFixture;

before(async () => {
  f = await deployedSiteFixture('pd', { driver: 'process' });
});

after(async () => {
  await f?.close();
});

test('the same pipeline deploys with the process driver (development without Docker) and serves through the edge', async () => {
  assert.equal(f.deps.driver.kind, 'process');
  assert.equal(f.deps.driver.isolates, false);
  const r = await f.push(join(import.meta.dirname, 'fixtures/hello'));
  assert.equal(r.status, 'succeeded', r.log.join('\n'));
  const page = await fetchVia(f.edgePort, f.host);
  assert.equal(page.status, 200);
  assert.equal(page.body, 'hello from release');
});

test('the process driver\'s build type-checks too, with the platform\'s compiler options: a type error fails the push with its place', async () => {
  const dir = typeErrorSite();
  const r = await f.push(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(r.status, 'failed');
  assert.match(r.error ?? '', /The site has 1 type error/);
  assert.match(r.error ?? '', /views\.ts:3:14 - error TS2322/);
  assert.equal((await fetchVia(f.edgePort, f.host)).body, 'hello from release', 'the previous release still serves');
});
