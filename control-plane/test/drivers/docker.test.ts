import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DockerDriver } from '../../src/drivers/docker.js';
import type { ReplicaSpec } from '../../src/drivers/driver.js';
import { ensureBaseImage } from '../../src/images/base-image.js';
import { probe, waitHealthy } from '../../src/drivers/health-check.js';

const driver = new DockerDriver({ namePrefix: 'pdk-test' });
const suffix = randomBytes(3).toString('hex');
const siteA = `a${suffix}`;
const siteB = `b${suffix}`;
const server = "require('http').createServer((q,s)=>{console.log('hit',q.url);s.end('site '+process.env.SITE_NAME)}).listen(process.env.PORT)";

after(async () => {
  await driver.removeSite(siteA);
  await driver.removeSite(siteB);
});

async function spec(site: string, extra: Partial<ReplicaSpec> = {}): Promise<ReplicaSpec> {
  const base = await ensureBaseImage(driver.docker);
  return {
    site, release: 'r1', replica: 0, image: base.ref, command: ['-e', server],
    env: { SITE_NAME: site }, port: 8000, limits: { memoryMb: 96, cpus: 0.5, pids: 64 }, ...extra,
  };
}

/** A one-off container on `site`'s network that tries a TCP connection and reports the outcome. */
async function tryConnect(site: string, host: string, port: number): Promise<string> {
  const script = `const s=require('net').connect(${port},'${host}');s.setTimeout(1500);` +
    `s.on('connect',()=>{console.log('connected');process.exit(0)});` +
    `s.on('timeout',()=>{console.log('blocked');process.exit(0)});s.on('error',e=>{console.log('blocked '+e.code);process.exit(0)})`;
  const r = await driver.exec(await spec(site, { command: ['-e', script] }), { timeoutMs: 20_000 });
  return r.output.map((l) => l.line).join('\n');
}

test('a site container runs hardened and a container of site A cannot connect to one of site B', async () => {
  const [a, b] = await Promise.all([driver.create(await spec(siteA)), driver.create(await spec(siteB))]);
  const [ra, rb] = await Promise.all([driver.start(a.id), driver.start(b.id)]);
  assert.ok(ra.address && rb.address, 'running replicas have an address on their site network');
  assert.equal((await waitHealthy(`http://${ra.address.host}:${ra.address.port}/`, { timeoutMs: 10_000 })).body, `site ${siteA}`);
  await waitHealthy(`http://${rb.address.host}:${rb.address.port}/`, { timeoutMs: 10_000 });

  const info = await driver.docker.getContainer(a.id).inspect();
  const hc = info.HostConfig;
  assert.equal(info.Config.User, '10001:10001', 'non-root');
  assert.equal(hc.ReadonlyRootfs, true, 'read-only root filesystem');
  assert.match((hc as { Tmpfs?: Record<string, string> }).Tmpfs?.['/tmp'] ?? '', /noexec/, 'tmpfs /tmp');
  assert.deepEqual(hc.CapDrop, ['ALL']);
  assert.ok(hc.SecurityOpt?.includes('no-new-privileges:true'));
  assert.equal(hc.PidsLimit, 64);
  assert.equal(hc.Memory, 96 * 1024 * 1024);
  assert.equal(hc.MemorySwap, 96 * 1024 * 1024);
  assert.equal(hc.NanoCpus, 0.5e9);
  assert.equal(hc.Privileged, false);
  assert.deepEqual(info.Mounts.map((m) => [m.Type, m.Name, m.Destination, m.RW]), [['volume', driver.mediaVolumeName(siteA), '/var/paddock/media', true]],
    'no host paths, no Docker socket: only the site\'s own media volume');
  assert.deepEqual(info.NetworkSettings.Ports ?? {}, {}, 'nothing published on the host');
  // Its network is its holder's namespace (kept while the replica is stopped), which is on the
  // site's bridge only and hardened like the replica.
  const holderId = /^container:(.+)$/.exec(hc.NetworkMode ?? '')?.[1];
  assert.ok(holderId, `the replica runs in its network holder's namespace, not ${hc.NetworkMode}`);
  const holder = await driver.docker.getContainer(holderId).inspect();
  assert.notEqual(holder.Id, info.Id);
  assert.equal(holder.HostConfig.NetworkMode, driver.networkName(siteA));
  assert.deepEqual(Object.keys(holder.NetworkSettings.Networks), [driver.networkName(siteA)], 'only its own bridge network');
  assert.equal(holder.NetworkSettings.Networks[driver.networkName(siteA)]?.IPAddress, ra.address.host);
  assert.deepEqual(holder.NetworkSettings.Ports ?? {}, {}, 'nothing published on the host');
  assert.equal(holder.Config.User, '10001:10001');
  assert.equal(holder.HostConfig.ReadonlyRootfs, true);
  assert.deepEqual(holder.HostConfig.CapDrop, ['ALL']);
  assert.ok(holder.HostConfig.SecurityOpt?.includes('no-new-privileges:true'));
  assert.equal(holder.HostConfig.Privileged, false);
  assert.ok((holder.HostConfig.PidsLimit ?? 0) > 0 && (holder.HostConfig.Memory ?? 0) > 0 && (holder.HostConfig.NanoCpus ?? 0) > 0, 'limited');
  assert.deepEqual(holder.Mounts, []);

  // The positive control proves the probe can connect; the attack then must not.
  assert.equal(await tryConnect(siteA, ra.address.host, ra.address.port), 'connected');
  assert.match(await tryConnect(siteA, rb.address.host, rb.address.port), /^blocked/);

  // The root filesystem really is read-only for the site's process, and it is not root.
  const probeFs = "try{require('fs').writeFileSync('/app-x','x');console.log('wrote')}catch(e){console.log(e.code)};console.log('uid',process.getuid())";
  const fsr = await driver.exec(await spec(siteA, { command: ['-e', probeFs] }));
  assert.deepEqual(fsr.output.map((l) => l.line), ['EROFS', 'uid 10001']);
});

test('a replica pauses and resumes, and its logs stream', async () => {
  const r = await driver.start((await driver.create(await spec(siteA, { replica: 1 }))).id);
  assert.ok(r.address);
  const url = `http://${r.address.host}:${r.address.port}/hello`;
  await waitHealthy(url, { timeoutMs: 10_000 });
  await driver.pause(r.id);
  assert.equal((await driver.inspect(r.id)).status, 'paused');
  await assert.rejects(probe(url, 300), 'a paused replica does not answer');
  const t0 = performance.now();
  await driver.resume(r.id);
  assert.equal((await probe(url, 2000)).status, 200);
  assert.ok(performance.now() - t0 < 2000);
  const lines: string[] = [];
  for await (const l of driver.logs(r.id, { tail: 10 })) lines.push(l.line);
  assert.ok(lines.includes('hit /hello'), lines.join('|'));
  assert.equal((await driver.list(siteA)).filter((s) => s.id === r.id).length, 1);
  await driver.stop(r.id, 1);
  assert.equal((await driver.inspect(r.id)).status, 'exited');
});
