// Each site's uploads live on a persistent media volume: a Docker named volume per site mounted writable at the
// MEDIA_ROOT the driver gives the site (the root filesystem stays read-only), kept across releases and removed with
// the site; the process driver keeps a folder per site instead.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerDriver, MEDIA_DIR } from '../../src/drivers/docker.js';
import { ProcessDriver } from '../../src/drivers/process.js';
import type { ReplicaSpec } from '../../src/drivers/driver.js';
import { ensureBaseImage } from '../../src/images/base-image.js';
import { runtimePackageDir } from '../../src/images/runtime-image.js';

const driver = new DockerDriver({ namePrefix: 'pdk-test' });
const site = `m${randomBytes(3).toString('hex')}`;
after(() => driver.removeSite(site));

// Writes a file into MEDIA_ROOT (if asked), lists what is there, and tries the read-only root filesystem too.
const script = [
  "const fs=require('fs'),p=require('path'),root=process.env.PADDOCK_MEDIA_ROOT;",
  "if(process.argv[1])fs.writeFileSync(p.join(root,process.argv[1]),'uploaded by '+process.argv[1]);",
  "let rootfs='writable';try{fs.writeFileSync('/app-file','x')}catch(e){rootfs=e.code}",
  "console.log(JSON.stringify({root,files:fs.readdirSync(root).sort(),rootfs,uid:process.getuid()}))",
].join('');

async function run(release: string, name?: string): Promise<{ root: string; files: string[]; rootfs: string; uid: number }> {
  const base = await ensureBaseImage(driver.docker);
  const spec: ReplicaSpec = {
    site, release, replica: 0, image: base.ref, command: ['-e', script, ...(name ? [name] : [])],
    env: {}, port: 8000, limits: { memoryMb: 64, cpus: 0.5, pids: 32 },
  };
  const r = await driver.exec(spec, { timeoutMs: 60_000 });
  assert.equal(r.exitCode, 0, r.output.map((l) => l.line).join('\n'));
  return JSON.parse(r.output.map((l) => l.line).filter((l) => l.startsWith('{')).pop() ?? '{}');
}

test('each site gets a persistent media volume, writable at its MEDIA_ROOT on a read-only root filesystem, kept across releases and removed with the site', async () => {
  const first = await run('v1', 'cat.png');
  assert.deepEqual(first, { root: MEDIA_DIR, files: ['cat.png'], rootfs: 'EROFS', uid: 10001 });
  const second = await run('v2', 'dog.png');
  assert.deepEqual(second.files, ['cat.png', 'dog.png'], 'a later release sees the earlier uploads');
  const volume = await driver.docker.getVolume(driver.mediaVolumeName(site)).inspect();
  assert.equal(volume.Labels?.['paddock.site'], site);
  assert.ok(((await driver.mediaBytes(site)) ?? 0) >= 'uploaded by cat.png'.length, 'the engine measures the volume');
  await driver.removeSite(site);
  await assert.rejects(driver.docker.getVolume(driver.mediaVolumeName(site)).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
});

test('the process driver keeps each site\'s media in a folder of its own, removed with the site', async () => {
  const mediaDir = mkdtempSync(join(tmpdir(), 'pdk-media-'));
  try {
    const proc = new ProcessDriver({ runtimeDir: runtimePackageDir(), mediaDir, warn: () => undefined });
    const r = await proc.exec({
      site: 'blog', release: 'v1', replica: 0, image: '', command: ['-e', script, 'note.txt'], env: {}, port: 0,
      limits: { memoryMb: 64, cpus: 1, pids: 32 },
    });
    assert.equal(r.exitCode, 0, r.output.map((l) => l.line).join('\n'));
    assert.equal(readFileSync(join(mediaDir, 'blog', 'note.txt'), 'utf8'), 'uploaded by note.txt');
    await proc.removeSite('blog');
    assert.equal(existsSync(join(mediaDir, 'blog')), false);
  } finally {
    rmSync(mediaDir, { recursive: true, force: true });
  }
});
