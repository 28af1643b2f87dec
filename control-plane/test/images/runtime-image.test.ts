import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { Readable } from 'node:stream';
import { buildSlug } from '../../src/builder/build.js';
import { DockerDriver } from '../../src/drivers/docker.js';
import { buildReleaseImage, removeReleaseImages } from '../../src/images/release-image.js';
import { ensureRuntimeImage } from '../../src/images/runtime-image.js';
import { waitHealthy } from '../../src/drivers/health-check.js';

const driver = new DockerDriver({ namePrefix: 'pdk-test' });
const site = `img${randomBytes(3).toString('hex')}`;
const work = mkdtempSync(join(tmpdir(), 'pdk-runtime-image-'));
after(async () => {
  await driver.removeSite(site);
  await removeReleaseImages(driver.docker, site);
  rmSync(work, { recursive: true, force: true });
});

test('a site built here serves from its release image on the runtime image, read-only and unprivileged', async () => {
  const runtime = await ensureRuntimeImage(driver.docker);
  assert.equal((await ensureRuntimeImage(driver.docker)).built, false, 'the runtime image is cached by content');
  const fixture = join(import.meta.dirname, '../deploy/fixtures/hello');
  const packed = tar.c({ gzip: true, cwd: fixture, portable: true }, ['site.ts']);
  const slug = await buildSlug({ tarball: Readable.from(packed as unknown as AsyncIterable<Buffer>), workDir: work, slugPath: join(work, 'slug.tar.gz') });
  const image = await buildReleaseImage(driver.docker, runtime, slug.slugPath, { site, release: 'v1' });
  const replica = await driver.start((await driver.create({
    site, release: 'v1', replica: 0, image, env: { GREETING: 'the image', SECRET_KEY: randomBytes(32).toString('hex') }, port: 8000, limits: { memoryMb: 256, cpus: 1, pids: 128 },
  })).id);
  assert.ok(replica.address);
  try {
    const r = await waitHealthy(`http://${replica.address.host}:${replica.address.port}/`, { timeoutMs: 15_000 });
    assert.equal(r.body, 'hello from the image');
  } catch (err) {
    const lines: string[] = [];
    for await (const l of driver.logs(replica.id)) lines.push(l.line);
    throw new Error(`${(err as Error).message}\n${lines.join('\n')}`, { cause: err });
  }
});
