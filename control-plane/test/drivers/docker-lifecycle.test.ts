// What the docker driver leaves behind: network holders go with their replica, a site's removal
// takes every container of it (one-offs still running included) and its network, and one-offs
// past their deadline are removed by the sweep even though the process that started them is gone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DockerDriver, ONE_OFF_REAP_GRACE_MS } from '../../src/drivers/docker.js';
import { KILLED_EXIT_CODE, type ReplicaSpec, type ReplicaState } from '../../src/drivers/driver.js';
import { ensureBaseImage } from '../../src/images/base-image.js';

// A prefix of its own: the reaper and removeSite only touch containers of their driver's prefix,
// so other tests' one-offs (running at the same time) are safe from this file's sweeps.
const suffix = randomBytes(3).toString('hex');
const driver = new DockerDriver({ namePrefix: `pdk-t${suffix}` });
const site = `life${suffix}`;
const sleeper = 'setInterval(()=>{},1000);console.log("up")';

after(async () => {
  await driver.removeSite(site);
  await driver.removeSite(`${site}x`);
});

async function spec(extra: Partial<ReplicaSpec> = {}): Promise<ReplicaSpec> {
  const base = await ensureBaseImage(driver.docker);
  return {
    site, release: 'r1', replica: 0, image: base.ref, command: ['-e', sleeper],
    env: {}, port: 8000, limits: { memoryMb: 64, cpus: 0.25, pids: 32 }, ...extra,
  };
}

async function containersOf(s: string, role?: string): Promise<Array<{ Id: string; Labels: Record<string, string> }>> {
  const label = [`paddock.site=${s}`, ...(role ? [`paddock.role=${role}`] : [])];
  return driver.docker.listContainers({ all: true, filters: { label } });
}

async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a replica\'s network holder is not listed and goes with the replica', async () => {
  const r = await driver.create(await spec({ replica: 3 }));
  const holders = await containersOf(site, 'netns');
  assert.equal(holders.length, 1, 'create makes one holder');
  assert.deepEqual((await driver.list(site)).map((x) => x.id), [r.id], 'list() gives replicas, not holders');
  await driver.remove(r.id);
  assert.deepEqual(await containersOf(site), [], 'remove() takes the holder too');
});

test('a create whose replica cannot be inspected leaves neither the replica nor its holder', async () => {
  class Flaky extends DockerDriver {
    override async inspect(_id: string): Promise<ReplicaState> {
      throw new Error('engine went away');
    }
  }
  const flaky = new Flaky({ namePrefix: `pdk-t${suffix}` });
  await assert.rejects(flaky.create(await spec({ site: `${site}x` })), /engine went away/);
  assert.deepEqual(await containersOf(`${site}x`), []);
});

test('removeSite takes replicas, holders and running one-offs, then the network', async () => {
  await driver.start((await driver.create(await spec())).id);
  let seen = false;
  const run = driver.exec(await spec({ command: ['-e', sleeper] }), { timeoutMs: 60_000, onLine: () => { seen = true; } });
  await until('the one-off runs', async () => seen);
  assert.deepEqual((await containersOf(site)).map((c) => c.Labels['paddock.role']).sort(), ['netns', 'oneoff', 'web']);
  const t0 = Date.now();
  await driver.removeSite(site);
  assert.deepEqual(await containersOf(site), []);
  await assert.rejects(driver.docker.getNetwork(driver.networkName(site)).inspect(), /404|no such network/i);
  const r = await run;
  assert.equal(r.exitCode, KILLED_EXIT_CODE, 'the one-off ended as killed, not as a failure');
  assert.ok(Date.now() - t0 < 15_000);
});

test('one-offs past their deadline are reaped by the sweep, not before', async () => {
  let seen = false;
  const run = driver.exec(await spec({ command: ['-e', sleeper] }), { timeoutMs: 30_000, onLine: () => { seen = true; } });
  await until('the one-off runs', async () => seen);
  const [c] = await containersOf(site, 'oneoff');
  const deadline = Number(c?.Labels['paddock.deadline']);
  assert.ok(Math.abs(deadline - (Date.now() + 30_000)) < 10_000, `deadline label ${deadline}`);
  assert.equal(await driver.reapExpiredOneOffs(), 0, 'a one-off within its time limit stays');
  assert.equal(await driver.reapExpiredOneOffs(new Date(deadline + ONE_OFF_REAP_GRACE_MS - 1)), 0, 'the starter\'s own timer goes first');
  // As a sweep would see it once the deadline has passed (the starter's timer never fired: it died).
  assert.equal(await driver.reapExpiredOneOffs(new Date(deadline + ONE_OFF_REAP_GRACE_MS + 1)), 1);
  assert.deepEqual(await containersOf(site, 'oneoff'), []);
  assert.equal((await run).exitCode, KILLED_EXIT_CODE);
});
