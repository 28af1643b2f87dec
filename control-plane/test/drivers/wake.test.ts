import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DockerDriver } from '../../src/drivers/docker.js';
import type { ReplicaSpec } from '../../src/drivers/driver.js';
import { startForWake } from '../../src/drivers/wake.js';
import { ensureBaseImage } from '../../src/images/base-image.js';
import { probe, waitHealthy } from '../../src/drivers/health-check.js';

const driver = new DockerDriver({ namePrefix: 'pdk-test' });
const site = `w${randomBytes(3).toString('hex')}`;
// Boots slowly on purpose (busy for 300 ms before it listens), like a site loading its code.
const server = "const t=Date.now();while(Date.now()-t<300);require('http').createServer((q,s)=>s.end('page of '+process.env.SITE_NAME+' pid '+process.pid)).listen(process.env.PORT)";

after(async () => {
  await driver.removeSite(site);
});

async function spec(extra: Partial<ReplicaSpec> = {}): Promise<ReplicaSpec> {
  const base = await ensureBaseImage(driver.docker);
  return {
    site, release: 'r1', replica: 0, image: base.ref, command: ['-e', server],
    env: { SITE_NAME: site }, port: 8000, limits: { memoryMb: 64, cpus: 0.5, pids: 32 }, ...extra,
  };
}

test('a stopped replica holds no process, and woken it answers its real page as soon as the wake resolves', async () => {
  const r = await driver.start((await driver.create(await spec())).id);
  assert.ok(r.address);
  await waitHealthy(`http://${r.address.host}:${r.address.port}/`, { timeoutMs: 10_000 });
  await driver.stop(r.id, 1);

  const stopped = await driver.docker.getContainer(r.id).inspect();
  assert.equal(stopped.State.Running, false, 'stopped means not running');
  assert.equal(stopped.State.Pid, 0, 'no process left: its memory is freed');
  assert.equal((await driver.inspect(r.id)).address, undefined, 'a stopped replica has no address to route to');

  const [woken, ...more] = await startForWake(driver, [r.id], { timeoutMs: 15_000 });
  assert.ok(woken);
  assert.equal(more.length, 0);
  assert.equal(woken.id, r.id);
  assert.deepEqual({ host: woken.host, port: woken.port }, r.address, 'its network holder kept its address while it slept');
  // No retry: the first request after the wake is answered by the booted site itself.
  const page = await probe(`http://${woken.host}:${woken.port}/`, 2000);
  assert.equal(page.status, 200);
  assert.match(page.body, new RegExp(`^page of ${site} pid \\d+$`));
  assert.equal((await driver.inspect(r.id)).status, 'running');
  // The hardening survives a stop and start: it is the same container.
  const info = await driver.docker.getContainer(r.id).inspect();
  assert.equal(info.HostConfig.ReadonlyRootfs, true);
  assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
  assert.equal(info.Config.User, '10001:10001');
  await driver.remove(r.id);
});

test('a replica the sleep job only paused is unpaused by a wake meant for a stopped one', async () => {
  const r = await driver.start((await driver.create(await spec({ replica: 1 }))).id);
  assert.ok(r.address);
  await waitHealthy(`http://${r.address.host}:${r.address.port}/`, { timeoutMs: 10_000 });
  const before = await probe(`http://${r.address.host}:${r.address.port}/`);
  await driver.pause(r.id);
  const [woken] = await startForWake(driver, [r.id], { timeoutMs: 10_000 });
  assert.ok(woken);
  const after = await probe(`http://${woken.host}:${woken.port}/`, 2000);
  assert.equal(after.body, before.body, 'the same process answers: it was unpaused, not restarted');
  await driver.remove(r.id);
});

test('a replica that crashes while booting fails its wake at once instead of holding the visitor', async () => {
  const c = await driver.create(await spec({ replica: 2, command: ['-e', 'setTimeout(() => process.exit(3), 100)'] }));
  const t0 = performance.now();
  const outcome = await startForWake(driver, [c.id], { timeoutMs: 30_000 }).catch((err: Error) => err);
  // Exited before its address was read: no replica to route to; exited after: the wait gives up.
  if (outcome instanceof Error) assert.match(outcome.message, /never listened: the replica is exited \(exit code 3\)/);
  else assert.deepEqual(outcome, []);
  assert.ok(performance.now() - t0 < 10_000, 'abandoned long before the timeout');
  await driver.remove(c.id);
});

test('a replica whose network holder was stopped still wakes: the holder is started first', async () => {
  const r = await driver.start((await driver.create(await spec({ replica: 3 }))).id);
  assert.ok(r.address);
  await driver.stop(r.id, 1);
  const holder = /^container:(.+)$/.exec((await driver.docker.getContainer(r.id).inspect()).HostConfig.NetworkMode ?? '')?.[1];
  assert.ok(holder);
  await driver.docker.getContainer(holder).stop({ t: 0 });
  const [woken] = await startForWake(driver, [r.id], { timeoutMs: 15_000 });
  assert.ok(woken);
  assert.match((await probe(`http://${woken.host}:${woken.port}/`, 2000)).body, new RegExp(`^page of ${site}`));
  await driver.remove(r.id);
  await assert.rejects(driver.docker.getContainer(holder).inspect(), 'removing a replica removes its holder');
});
