// What the edge's memory sampler reads from the process driver: the child's resident set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessDriver } from '../../src/drivers/process.js';
import { runtimePackageDir } from '../../src/images/runtime-image.js';

test('the process driver reports a running replica\'s resident memory, and none once it stopped', async () => {
  const driver = new ProcessDriver({ runtimeDir: runtimePackageDir(), warn: () => undefined });
  // A replica that holds ~64 MB on purpose, so the figure is its own and not a constant.
  const r = await driver.create({
    site: 'mem', release: 'r1', replica: 0, image: 'unused', env: {}, port: 0,
    limits: { memoryMb: 256, cpus: 1, pids: 64 },
    command: ['-e', 'globalThis.keep = Buffer.alloc(64 * 1024 * 1024, 1); console.log("ready"); setInterval(() => {}, 1000)'],
  });
  try {
    await driver.start(r.id);
    const deadline = Date.now() + 10_000;
    let bytes: number | undefined;
    while (Date.now() < deadline) {
      bytes = await driver.memoryBytes(r.id);
      if (bytes !== undefined && bytes > 64 * 1024 * 1024) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.ok(bytes !== undefined && bytes > 64 * 1024 * 1024 && bytes < 512 * 1024 * 1024, `resident memory: ${bytes}`);
    await driver.stop(r.id, 2);
    assert.equal(await driver.memoryBytes(r.id), undefined);
  } finally {
    await driver.remove(r.id);
  }
  assert.equal(await driver.memoryBytes('proc-unknown'), undefined);
});
