import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connectDocker } from '../../src/engine/docker-engine.js';
import { ensureBaseImage, sharedLibraries } from '../../src/images/base-image.js';
import { waitHealthy } from '../../src/drivers/health-check.js';

const docker = connectDocker();

test('ldd lists the dynamic loader and libc for node', async () => {
  const libs = await sharedLibraries(process.execPath);
  assert.ok(libs.some((l) => /ld-linux/.test(l)), libs.join(', '));
  assert.ok(libs.some((l) => /libc\.so/.test(l)), libs.join(', '));
});

test('a container from the scratch-built base image answers HTTP from node:http', async () => {
  const base = await ensureBaseImage(docker);
  const again = await ensureBaseImage(docker);
  assert.equal(again.built, false, 'a second call reuses the cached image');
  assert.equal(again.ref, base.ref);

  const info = await docker.getImage(base.ref).inspect();
  assert.equal(info.Config.User, '10001:10001');
  assert.equal(info.RootFS.Layers?.length, 1, 'one layer: nothing but node and its libraries');

  const name = `pdk-test-base-${randomBytes(4).toString('hex')}`;
  const script = "require('http').createServer((q,s)=>s.end('hello from scratch '+process.getuid())).listen(8000)";
  const container = await docker.createContainer({
    name,
    Image: base.ref,
    Cmd: ['-e', script],
    ExposedPorts: { '8000/tcp': {} },
    HostConfig: { PortBindings: { '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '0' }] }, AutoRemove: false },
  });
  try {
    await container.start();
    const port = (await container.inspect()).NetworkSettings.Ports['8000/tcp']?.[0]?.HostPort;
    assert.ok(port);
    const { body } = await waitHealthy(`http://127.0.0.1:${port}/`, { timeoutMs: 10_000 });
    assert.equal(body, 'hello from scratch 10001');
  } finally {
    await container.remove({ force: true });
  }
});
