// Env changes are atomic for the user: a change whose release fails puts the live release's vars
// back (unless a newer change owns them), and re-releases (scale, domains, env) take the code live
// when they run, not when they were queued. One site on the process driver.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suffix } from '../support/platform.js';
import { call } from '../support/api.js';
import { currentRelease, runDeploy } from '../../src/releases/deploys.js';
import { openEnvSnapshot } from '../../src/releases/env-snapshot.js';
import { deployedSiteFixture, fetchVia, follow, holdingDeploys, type DeployedSiteFixture } from './support.js';

const hello = join(import.meta.dirname, 'fixtures/hello');
const NOT_APPLIED = /^The env change was not applied; the previous vars are back\. The release failed and the previous one keeps serving: .*the replica exited/;

describe('env changes and re-releases are atomic', () => {
  let f: DeployedSiteFixture;
  let site: string;
  let host: string;
  let work: string;
  const one = `one-${suffix()}`;
  const three = `three-${suffix()}`;

  const patchEnv = async (vars: Record<string, string | null>) => {
    const r = await call(f.app, f.token, 'PATCH', `/v1/sites/${site}/env`, { vars });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.deploy.id as string;
  };
  const envRoute = async () => (await call(f.app, f.token, 'GET', `/v1/sites/${site}/env`)).body.vars as Record<string, string>;
  const siteId = async () => (await f.platform.db.selectFrom('sites').select('id').where('name', '=', site).where('status', '=', 'ready').executeTakeFirstOrThrow()).id;
  const live = async () => {
    const rel = await currentRelease(f.deps, await siteId());
    return { version: rel!.version, slug: rel!.slug_key, env: openEnvSnapshot(f.platform.secrets, rel!) };
  };
  const releaseOf = async (version: number) => f.platform.db.selectFrom('releases').selectAll()
    .where('site_id', '=', await siteId()).where('version', '=', version).executeTakeFirstOrThrow();

  before(async () => {
    f = await deployedSiteFixture('renva', { driver: 'process' });
    ({ site, host } = f);
    work = mkdtempSync(join(tmpdir(), 'pdk-env-atomic-'));
  });

  after(async () => {
    await f?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('an env change whose release fails puts the previous vars back: the env route shows what the live release runs', async () => {
    const v1 = await f.push(hello);
    assert.equal(v1.status, 'succeeded', v1.log.join('\n'));
    const ok = await follow(f.app, f.token, site, await patchEnv({ SITE_ENV_PROBE: one }));
    assert.equal(ok.status, 'succeeded', ok.log.join('\n'));

    const bad = await follow(f.app, f.token, site, await patchEnv({ SITE_ENV_PROBE: `two-${suffix()}`, BOOT_FAIL: '1' }));
    assert.equal(bad.status, 'failed');
    assert.match(bad.error ?? '', NOT_APPLIED, 'the result says the change was not applied, with the failure');
    assert.match(bad.log.at(-1) ?? '', /deploy failed: The env change was not applied; the previous vars are back\./);

    const now = await live();
    assert.equal(now.version, ok.version, 'the previous release keeps serving');
    assert.deepEqual(now.env, { SITE_ENV_PROBE: one });
    assert.deepEqual(await envRoute(), now.env, 'the env route shows what runs');
    assert.equal((await fetchVia(f.edgePort, host, '/env/')).body, one);
    assert.equal((await releaseOf(ok.version! + 1)).status, 'failed');
  });

  test('a failing env change does not undo a newer change', async () => {
    await holdingDeploys(f, async () => {
      const bad = await patchEnv({ BOOT_FAIL: '1' });
      const newer = await patchEnv({ BOOT_FAIL: null, SITE_ENV_PROBE: three });
      const failed = await runDeploy(f.deps, bad);
      assert.equal(failed.status, 'failed');
      assert.match(failed.error ?? '', /env vars changed again before it ran/);
      assert.doesNotMatch(failed.error ?? '', /previous vars are back/);
      assert.deepEqual(await envRoute(), { SITE_ENV_PROBE: three }, 'the newer change stands');
      const ran = await runDeploy(f.deps, newer);
      assert.equal(ran.status, 'succeeded', ran.error ?? '');
    });
    assert.deepEqual((await live()).env, { SITE_ENV_PROBE: three });
    assert.deepEqual(await envRoute(), { SITE_ENV_PROBE: three });
  });

  test("a rollback queued behind a failing env change still brings back its target's vars", async () => {
    await holdingDeploys(f, async () => {
      const bad = await patchEnv({ BOOT_FAIL: '1' });
      const rb = await call(f.app, f.token, 'POST', `/v1/sites/${site}/rollback`, { version: 2 });
      assert.equal(rb.status, 202, JSON.stringify(rb.body));
      const failed = await runDeploy(f.deps, bad);
      assert.match(failed.error ?? '', NOT_APPLIED);
      assert.deepEqual(await envRoute(), { SITE_ENV_PROBE: three }, 'back to what the live release runs');
      const rolled = await runDeploy(f.deps, rb.body.id);
      assert.equal(rolled.status, 'succeeded', rolled.error ?? '');
    });
    assert.deepEqual((await live()).env, { SITE_ENV_PROBE: one }, "v2's vars");
    assert.deepEqual(await envRoute(), { SITE_ENV_PROBE: one }, 'the rollback replaced the restored vars');
    assert.equal((await fetchVia(f.edgePort, host, '/env/')).body, one);
  });

  test('a scale queued before a rollback ran re-releases the code the rollback made live', async () => {
    const second = join(work, 'second');
    cpSync(hello, second, { recursive: true });
    const file = join(second, 'site.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace('`hello from ', '`second build from '));
    const pushed = await f.push(second);
    assert.equal(pushed.status, 'succeeded', pushed.log.join('\n'));
    assert.match((await fetchVia(f.edgePort, host)).body, /^second build from/);
    const v1 = await releaseOf(1);
    // A count the site does not run yet: scaling to the one it runs changes nothing and releases nothing.
    const { org_id } = await f.platform.db.selectFrom('sites').select('org_id').where('name', '=', site).where('status', '=', 'ready').executeTakeFirstOrThrow();
    await f.platform.db.updateTable('organisations').set({ quota_overrides: JSON.stringify({ replicas: 2 }) }).where('id', '=', org_id).execute();

    await holdingDeploys(f, async (held) => {
      const rb = await call(f.app, f.token, 'POST', `/v1/sites/${site}/rollback`, { version: 1 });
      assert.equal(rb.status, 202, JSON.stringify(rb.body));
      const scaled = await call(f.app, f.token, 'POST', `/v1/sites/${site}/scale`, { replicas: 2 });
      assert.equal(scaled.status, 200, JSON.stringify(scaled.body));
      assert.deepEqual(held, [rb.body.id, scaled.body.deployId]);
      const rolled = await runDeploy(f.deps, rb.body.id);
      assert.equal(rolled.status, 'succeeded', rolled.error ?? '');
      const rescaled = await runDeploy(f.deps, scaled.body.deployId);
      assert.equal(rescaled.status, 'succeeded', rescaled.error ?? '');
      const d = await follow(f.app, f.token, site, scaled.body.deployId);
      assert.ok(d.log.some((l) => /went live since this scale was queued: re-releasing its code/.test(l)), d.log.join('\n'));
    });
    const now = await live();
    assert.equal(now.slug, v1.slug_key, "the scale runs v1's code, as the rollback left it");
    assert.deepEqual(now.env, {}, "and v1's vars, which the rollback brought back");
    assert.equal((await fetchVia(f.edgePort, host)).body, 'hello from release');
  });
});
