// Releases carry their env vars: a rollback brings back the code AND the env vars of its target,
// what runs (replicas, one-offs) is the release's snapshot, and the snapshot is sealed at rest.
// One site on the process driver (the same pipeline as Docker's, in a fraction of the time).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { sql } from 'kysely';
import { suffix } from '../support/platform.js';
import { call } from '../support/api.js';
import { currentRelease, releaseProcesses, runDeploy } from '../../src/releases/deploys.js';
import { envContext, MAX_ENV_BYTES, openEnvSnapshot, sealEnvSnapshot } from '../../src/releases/env-snapshot.js';
import { deployedSiteFixture, fetchVia, follow, holdingDeploys, packSite, push, type DeployedSiteFixture } from './support.js';

interface ReleaseItem {
  version: number;
  status: string;
  description: string;
  envChanges?: { added: string[]; removed: string[]; changed: string[] };
}

describe('releases carry their env vars', () => {
  let f: DeployedSiteFixture;
  let site: string;
  let host: string;
  // Values no other text in the platform could contain, so finding one anywhere is a leak.
  const one = `pool-one-${suffix()}`;
  const two = `pool-two-${suffix()}`;
  const greeting = `greeting-${suffix()}`;

  const setEnv = async (vars: Record<string, string | null>) => {
    const r = await call(f.app, f.token, 'PATCH', `/v1/sites/${site}/env`, { vars });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const d = await follow(f.app, f.token, site, r.body.deploy.id);
    assert.equal(d.status, 'succeeded', d.log.join('\n'));
    return d;
  };
  const rollback = async (version: number) => {
    const r = await call(f.app, f.token, 'POST', `/v1/sites/${site}/rollback`, { version });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const d = await follow(f.app, f.token, site, r.body.id);
    assert.equal(d.status, 'succeeded', d.log.join('\n'));
    return d;
  };
  const releases = async () => {
    const r = await call(f.app, f.token, 'GET', `/v1/sites/${site}/releases`);
    assert.equal(r.status, 200);
    return { items: r.body.releases as ReleaseItem[], text: JSON.stringify(r.body) };
  };
  const envRoute = async () => (await call(f.app, f.token, 'GET', `/v1/sites/${site}/env`)).body.vars as Record<string, string>;
  const siteRow = () => f.platform.db.selectFrom('sites').selectAll().where('name', '=', site).where('status', '=', 'ready').executeTakeFirstOrThrow();

  before(async () => {
    f = await deployedSiteFixture('renv', { driver: 'process' });
    ({ site, host } = f);
  });

  after(async () => {
    await f?.close();
  });

  test('rolling back to an env-only release brings its env vars back: replica, one-off and env route agree', async () => {
    const v1 = await push(f.app, f.token, site, await packSite(join(import.meta.dirname, 'fixtures/hello')));
    assert.equal(v1.status, 'succeeded', v1.log.join('\n'));
    assert.equal((await fetchVia(f.edgePort, host, '/env/')).body, 'unset');

    assert.equal((await setEnv({ SITE_ENV_PROBE: one })).version, 2);
    assert.equal((await fetchVia(f.edgePort, host, '/env/')).body, one);
    assert.equal((await setEnv({ SITE_ENV_PROBE: two, GREETING: greeting })).version, 3);
    assert.equal((await fetchVia(f.edgePort, host, '/env/')).body, two);
    assert.equal((await fetchVia(f.edgePort, host)).body, `hello from ${greeting}`);

    const rolled = await rollback(2);
    assert.equal(rolled.version, 4);
    assert.equal((await fetchVia(f.edgePort, host, '/env/')).body, one, "the running replica has v2's value again");
    assert.equal((await fetchVia(f.edgePort, host)).body, 'hello from release', 'a var v2 did not have is gone');
    assert.deepEqual(await envRoute(), { SITE_ENV_PROBE: one }, 'the env route shows what runs');

    const { items, text } = await releases();
    assert.deepEqual(items.map((r) => `${r.version}:${r.status}`), ['4:live', '3:superseded', '2:superseded', '1:superseded']);
    assert.equal(items[0]!.description, 'Rollback to v2 (code and env vars)');
    assert.deepEqual(items.map((r) => r.envChanges), [
      { added: [], removed: ['GREETING'], changed: ['SITE_ENV_PROBE'] },
      { added: ['GREETING'], removed: [], changed: ['SITE_ENV_PROBE'] },
      { added: ['SITE_ENV_PROBE'], removed: [], changed: [] },
      { added: [], removed: [], changed: [] },
    ]);
    for (const secret of [one, two, greeting]) assert.ok(!text.includes(secret), 'the listing names vars, never their values');

    // A one-off runs with the live release's snapshot, even when site_env_vars says otherwise
    // (a failed env change puts the live vars back, but what runs must not depend on it).
    const s = await siteRow();
    const stray = `stray-${suffix()}`;
    await f.platform.db.updateTable('site_env_vars').set({ value_enc: f.platform.secrets.seal(stray, envContext(s.id, 'SITE_ENV_PROBE')) })
      .where('site_id', '=', s.id).where('name', '=', 'SITE_ENV_PROBE').execute();
    const live = await currentRelease(f.deps, s.id);
    assert.equal(live?.version, 4);
    const plan = await releaseProcesses(f.deps, s, live!);
    assert.equal(plan.env.SITE_ENV_PROBE, one);
    assert.equal(plan.env.GREETING, undefined);
    assert.ok(plan.env.DATABASE_URL, "the platform's own vars are still added");
    await f.platform.db.updateTable('site_env_vars').set({ value_enc: f.platform.secrets.seal(one, envContext(s.id, 'SITE_ENV_PROBE')) })
      .where('site_id', '=', s.id).where('name', '=', 'SITE_ENV_PROBE').execute();
  });

  test('snapshots are sealed at rest and to their own release; no value reaches the deploy logs or the audit log', async () => {
    const s = await siteRow();
    const rows = await f.platform.db.selectFrom('releases').selectAll().where('site_id', '=', s.id).orderBy('version').execute();
    assert.equal(rows.length, 4);
    const raw = (await sql<{ row: string }>`select row_to_json(r)::text as row from releases r where site_id = ${s.id}`.execute(f.platform.db)).rows.map((r) => r.row).join('\n');
    for (const secret of [one, two, greeting]) {
      assert.ok(!raw.includes(secret), 'no value in plain text');
      assert.ok(!raw.includes(Buffer.from(secret).toString('base64').slice(0, 16)), 'nor merely base64-encoded');
    }
    // Names (which viewers see in the listing) are kept readable in env_changes only, never in the snapshot.
    const rawWithoutNames = (await sql<{ row: string }>`select (to_jsonb(r) - 'env_changes')::text as row from releases r where site_id = ${s.id}`.execute(f.platform.db)).rows.map((r) => r.row).join('\n');
    assert.ok(!rawWithoutNames.includes('SITE_ENV_PROBE'), 'not even the names are readable from the snapshot');
    assert.deepEqual(openEnvSnapshot(f.platform.secrets, rows[2]!), { GREETING: greeting, SITE_ENV_PROBE: two });
    // A snapshot copied onto another release (or another site's release) does not open there.
    assert.throws(() => openEnvSnapshot(f.platform.secrets, { ...rows[1]!, env_enc: rows[2]!.env_enc }));

    const logs = await call(f.app, f.token, 'GET', `/v1/sites/${site}/logs?lines=500`);
    assert.equal(logs.status, 200);
    const logText = JSON.stringify(logs.body);
    assert.match(logText, /Rollback to v2/);
    const audit = JSON.stringify(await f.platform.db.selectFrom('audit_events').selectAll().execute());
    for (const secret of [one, two, greeting]) {
      assert.ok(!logText.includes(secret), 'no value in the deploy logs');
      assert.ok(!audit.includes(secret), 'no value in the audit log');
    }
  });

  test('rolling back to a release made before env snapshots re-releases its code with the current env vars', async () => {
    const s = await siteRow();
    // What the migrations leave on the releases they find: no snapshot, no recorded names.
    await f.platform.db.updateTable('releases').set({ env_enc: null, env_changes: null }).where('site_id', '=', s.id).where('version', '=', 1).execute();
    const rolled = await rollback(1);
    assert.equal(rolled.version, 5);
    assert.equal((await fetchVia(f.edgePort, host, '/env/')).body, one, 'the current vars, not an empty set');
    assert.deepEqual(await envRoute(), { SITE_ENV_PROBE: one });
    const { items } = await releases();
    assert.match(items[0]!.description, /^Rollback to v1 \(code only: v1 predates env snapshots/);
    assert.deepEqual(items[0]!.envChanges, { added: [], removed: [], changed: [] }, 'v5 itself has a snapshot, compared with v4');
    const byVersion = new Map(items.map((r) => [r.version, r]));
    assert.equal(byVersion.get(1)!.envChanges, undefined, 'no names recorded for a release older than them');
    assert.deepEqual(byVersion.get(2)!.envChanges, { added: ['SITE_ENV_PROBE'], removed: [], changed: [] }, 'names recorded when v2 was made stay');

    // A live release without a snapshot (one-offs of a site not redeployed since the migration) runs with the current vars.
    const live = await currentRelease(f.deps, s.id);
    const plan = await releaseProcesses(f.deps, s, { ...live!, env_enc: null });
    assert.equal(plan.env.SITE_ENV_PROBE, one);
  });

  const liveSnapshot = async () => {
    const live = await currentRelease(f.deps, (await siteRow()).id);
    return { version: live!.version, env: openEnvSnapshot(f.platform.secrets, live!) };
  };

  test('an env change made while a rollback is under way is refused, and one the rollback overtook is not released: the env route shows what runs', async () => {
    const late = `late-${suffix()}`;
    await holdingDeploys(f, async (held) => {
      const before = await liveSnapshot();
      const patched = await call(f.app, f.token, 'PATCH', `/v1/sites/${site}/env`, { vars: { LATE: late } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      const rb = await call(f.app, f.token, 'POST', `/v1/sites/${site}/rollback`, { version: 3 });
      assert.equal(rb.status, 202, JSON.stringify(rb.body));
      assert.deepEqual(held, [patched.body.deploy.id, rb.body.id]);

      // The rollback would replace the vars when it goes live: a change now cannot be honoured.
      const refused = await call(f.app, f.token, 'PATCH', `/v1/sites/${site}/env`, { vars: { EXTRA: 'x' } });
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, 'PDK_ROLLBACK_IN_PROGRESS');
      assert.match(refused.body.error.message, /rolling back to v3/);
      const second = await call(f.app, f.token, 'POST', `/v1/sites/${site}/rollback`, { version: 2 });
      assert.equal(second.status, 409, 'one rollback at a time');
      assert.equal(second.body.error.code, 'PDK_ROLLBACK_IN_PROGRESS');
      assert.deepEqual(await envRoute(), { SITE_ENV_PROBE: one, LATE: late }, 'the refused change left nothing behind');

      // The rollback runs before the env change queued ahead of it (deploy jobs are not ordered).
      const rolled = await runDeploy(f.deps, rb.body.id);
      assert.equal(rolled.status, 'succeeded', rolled.error ?? '');
      const overtaken = await runDeploy(f.deps, patched.body.deploy.id);
      assert.equal(overtaken.status, 'failed');
      assert.match(overtaken.error ?? '', /env vars changed again before it ran/);
      assert.equal(overtaken.release_id, null, 'no release for it');

      const live = await liveSnapshot();
      assert.equal(live.version, before.version + 1);
      assert.deepEqual(live.env, { GREETING: greeting, SITE_ENV_PROBE: two });
      assert.deepEqual(await envRoute(), live.env, 'the env route shows what the live release runs');
      assert.equal((await fetchVia(f.edgePort, host, '/env/')).body, two);
    });

    // Once the rollback is done, the change is accepted and its release runs exactly what it made.
    const extra = await setEnv({ EXTRA: 'x' });
    const live = await liveSnapshot();
    assert.equal(live.version, extra.version);
    assert.deepEqual(live.env, { EXTRA: 'x', GREETING: greeting, SITE_ENV_PROBE: two });
    assert.deepEqual(await envRoute(), live.env);
    const { items } = await releases();
    assert.deepEqual(items[0]!.envChanges, { added: ['EXTRA'], removed: [], changed: [] });
  });

  test("listing releases opens no snapshot, and a release's env changes are against the release it replaced, not a failed one", async () => {
    const s = await siteRow();
    const db = f.platform.db;
    const live = await currentRelease(f.deps, s.id);
    // A failed release after the live one, with vars nothing ever ran.
    const failedId = randomUUID();
    await db.insertInto('releases').values({
      id: failedId, site_id: s.id, version: live!.version + 1, kind: 'env', description: 'env of a failed release', slug_key: live!.slug_key,
      slug_sha256: live!.slug_sha256, manifest: JSON.stringify(live!.manifest), replicas: live!.replicas, status: 'failed', error: 'health check failed',
      env_enc: sealEnvSnapshot(f.platform.secrets, s.id, failedId, { NEVER_RAN: 'x' }),
    }).execute();
    const d = await setEnv({ EXTRA: null });
    assert.equal(d.version, live!.version + 2);
    // Snapshots no listing should need: unreadable now.
    await db.updateTable('releases').set({ env_enc: 'not a sealed snapshot' }).where('site_id', '=', s.id).where('status', '!=', 'live').execute();
    const { items } = await releases();
    assert.deepEqual(items[0]!.envChanges, { added: [], removed: ['EXTRA'], changed: [] }, 'against the live release, not the failed one');
    assert.deepEqual(items.find((r) => r.version === 2)!.envChanges, { added: ['SITE_ENV_PROBE'], removed: [], changed: [] });
  });

  test("a site's env vars are capped in total, across changes: 413 PDK_ENV_TOO_LARGE, nothing changed", async () => {
    await holdingDeploys(f, async (held) => {
      const before = await envRoute();
      const big = 'v'.repeat(30_000);
      const ok = await call(f.app, f.token, 'PATCH', `/v1/sites/${site}/env`, { vars: { BIG_A: big, BIG_B: big } });
      assert.equal(ok.status, 200, 'under the limit');
      const over = await call(f.app, f.token, 'PATCH', `/v1/sites/${site}/env`, { vars: { BIG_C: 'v'.repeat(MAX_ENV_BYTES - 60_000) } });
      assert.equal(over.status, 413, JSON.stringify(over.body));
      assert.equal(over.body.error.code, 'PDK_ENV_TOO_LARGE');
      assert.match(over.body.error.message, /over the 64 KiB limit/);
      assert.deepEqual(Object.keys(await envRoute()).sort(), [...Object.keys(before), 'BIG_A', 'BIG_B'].sort(), 'the refused change left nothing behind');
      assert.equal(held.length, 1, 'and released nothing');
      const undo = await call(f.app, f.token, 'PATCH', `/v1/sites/${site}/env`, { vars: { BIG_A: null, BIG_B: null } });
      assert.equal(undo.status, 200);
      assert.deepEqual(await envRoute(), before);
    });
  });
});
