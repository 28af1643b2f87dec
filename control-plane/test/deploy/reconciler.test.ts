// The deploy reconciler against what a dead worker leaves: a deploy `releasing` with its release
// `pending` and its replicas running. It must leave alone a deploy a live worker still runs (the
// site's deploy lock held, or its queue job's lock), fail and clean up a dead one exactly once
// with several reconcilers at work, record as live one whose edge switch had happened, and a
// deploy job that runs again after its worker died must end the same way.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { deployedSiteFixture, fetchVia, type DeployedSiteFixture } from './support.js';
import { currentRelease, deployLockKey, releaseProcesses, runDeploy, switchRoute } from '../../src/releases/deploys.js';
import { reconcileDeploys } from '../../src/releases/reconciler.js';
import { replicaSpec } from '../../src/releases/releaser.js';
import type { Release } from '../../src/store/schema.js';
import { errors } from '../../src/errors.js';

let f: DeployedSiteFixture;
let siteId: string;
/** The release the push made: its folder holds code a replica can run. */
let pushed: Release;

before(async () => {
  f = await deployedSiteFixture('rec', { driver: 'process' });
  const r = await f.push(join(import.meta.dirname, 'fixtures/hello'));
  if (r.status !== 'succeeded') throw new Error(`push failed: ${r.error}`);
  siteId = (await f.platform.db.selectFrom('sites').select('id').where('name', '=', f.site).executeTakeFirstOrThrow()).id;
  pushed = (await currentRelease(f.deps, siteId))!;
});

after(async () => {
  await f?.close();
});

const db = () => f.platform.db;

/**
 * What a worker killed mid-release leaves: the deploy `releasing`, its release `pending`, one
 * replica of it started (running the pushed release's code under the new release's label).
 */
async function debris(): Promise<{ deployId: string; release: Release; replicaId: string }> {
  const live = (await currentRelease(f.deps, siteId))!;
  const site = await f.platform.db.selectFrom('sites').selectAll().where('id', '=', siteId).executeTakeFirstOrThrow();
  const last = await db().selectFrom('releases').select((eb) => eb.fn.max('version').as('v')).where('site_id', '=', siteId).executeTakeFirstOrThrow();
  const release = await db().insertInto('releases').values({
    id: randomUUID(), site_id: siteId, version: Number(last.v) + 1, kind: 'deploy', description: 'killed mid-release', slug_key: live.slug_key,
    slug_sha256: live.slug_sha256, manifest: JSON.stringify(live.manifest), replicas: 1, status: 'pending', env_enc: null,
  }).returningAll().executeTakeFirstOrThrow();
  const deployId = randomUUID();
  await db().insertInto('deploys').values({ id: deployId, site_id: siteId, kind: 'deploy', status: 'releasing', release_id: release.id, artifact_key: null, artifact_sha256: null, artifact_size: null, source_release_id: null, error: null, created_by: null }).execute();
  const procs = await releaseProcesses(f.deps, site, pushed);
  const created = await f.deps.driver.create(replicaSpec({ ...procs, release: `v${release.version}` }, 0));
  await f.deps.driver.start(created.id);
  return { deployId, release, replicaId: created.id };
}

const statusOf = async (deployId: string) => (await db().selectFrom('deploys').select(['status', 'error']).where('id', '=', deployId).executeTakeFirstOrThrow());
const releaseStatus = async (id: string) => (await db().selectFrom('releases').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
const replicasOf = async (version: number) => (await f.deps.driver.list(f.site)).filter((r) => r.release === `v${version}`);

test('a deploy a live worker still runs is left alone: its site deploy lock is held, or its queue job lock', async () => {
  const d = await debris();
  const holder = new pg.Client({ connectionString: f.platform.config.databaseUrl });
  await holder.connect();
  try {
    await holder.query('select pg_advisory_lock(hashtext($1))', [deployLockKey(siteId)]);
    const busy = await reconcileDeploys(f.deps, { jobRunning: async () => false });
    assert.deepEqual(busy.busySites, [siteId]);
    assert.deepEqual(busy.failed, []);
  } finally {
    await holder.end();
  }
  const jobHeld = await reconcileDeploys(f.deps, { jobRunning: async (id) => id === d.deployId });
  assert.deepEqual([jobHeld.failed, jobHeld.busySites, jobHeld.strayReleases], [[], [], []]);
  assert.equal((await statusOf(d.deployId)).status, 'releasing');
  assert.equal(await releaseStatus(d.release.id), 'pending');
  assert.equal((await replicasOf(d.release.version)).length, 1);

  // Its worker gone (no lock anywhere): several reconcilers at once end it exactly once.
  const outcomes = await Promise.all([0, 1, 2].map(() => reconcileDeploys(f.deps, { jobRunning: async () => false })));
  assert.deepEqual(outcomes.flatMap((o) => o.failed), [d.deployId]);
  const after = await statusOf(d.deployId);
  assert.equal(after.status, 'failed');
  assert.equal(after.error, errors.deployInterrupted().message);
  assert.equal(await releaseStatus(d.release.id), 'failed');
  assert.deepEqual(await replicasOf(d.release.version), [], 'its replica is gone');
  const page = await fetchVia(f.edgePort, f.host);
  assert.equal(page.status, 200, 'the live release keeps serving');
  const logs = await f.deps.logs.recent(f.deps.logs.deployKey(d.deployId));
  assert.equal(logs.at(-1)?.result, 'failed', 'followers of the deploy see it end');
  assert.deepEqual(await reconcileDeploys(f.deps), { failed: [], completed: [], strayReleases: [], busySites: [] }, 'nothing left to do');
});

test('a deploy job that runs again after its worker died ends the deploy that worker left, the same way', async () => {
  const d = await debris();
  const ended = await runDeploy(f.deps, d.deployId);
  assert.equal(ended.status, 'failed');
  assert.equal(ended.error, errors.deployInterrupted().message);
  assert.equal(await releaseStatus(d.release.id), 'failed');
  assert.deepEqual(await replicasOf(d.release.version), []);
});

test('a deploy whose worker died after the edge switched to its release is recorded live, and the old replicas go', async () => {
  const before = (await currentRelease(f.deps, siteId))!;
  const d = await debris();
  const replica = await f.deps.driver.inspect(d.replicaId);
  await switchRoute(f.deps, siteId, d.release.id, [{ ...replica.address!, id: replica.id }]);
  const out = await reconcileDeploys(f.deps);
  assert.deepEqual(out.completed, [d.deployId]);
  assert.equal((await statusOf(d.deployId)).status, 'succeeded');
  assert.equal(await releaseStatus(d.release.id), 'live');
  assert.equal(await releaseStatus(before.id), 'superseded');
  const left = await f.deps.driver.list(f.site);
  assert.deepEqual(left.map((r) => r.id), [d.replicaId], 'only the new release\'s replica is left');
  await f.edge.sync();
  assert.equal((await fetchVia(f.edgePort, f.host)).status, 200);
});

test('a pending release whose deploy already ended (recording it failed with the database) is failed and removed', async () => {
  const d = await debris();
  await db().updateTable('deploys').set({ status: 'failed', error: 'the database went away', finished_at: new Date() }).where('id', '=', d.deployId).execute();
  const out = await reconcileDeploys(f.deps);
  assert.deepEqual(out.strayReleases, [d.release.id]);
  assert.equal(await releaseStatus(d.release.id), 'failed');
  assert.deepEqual(await replicasOf(d.release.version), []);
});
