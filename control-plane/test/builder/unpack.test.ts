import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { defaultUnpackLimits, unpackTarball, type UnpackLimits } from '../../src/builder/unpack.js';
import { rawTar, rawTarGz, type RawEntry } from './tar-fixture.js';

const sandbox = mkdtempSync(join(tmpdir(), 'pdk-unpack-'));
after(() => rmSync(sandbox, { recursive: true, force: true }));
const marker = `pdk-evil-${randomBytes(4).toString('hex')}`;

/** Unpacks into a fresh work dir inside its own parent, so anything written beside it shows. */
async function attempt(archive: Buffer, limits: Partial<UnpackLimits> = {}) {
  const parent = mkdtempSync(join(sandbox, 'case-'));
  const work = join(parent, 'work');
  mkdirSync(work);
  const result = unpackTarball(Readable.from([archive]), work, { ...defaultUnpackLimits, ...limits });
  return { parent, work, result };
}

async function assertRejected(archive: Buffer, reason: RegExp, limits: Partial<UnpackLimits> = {}) {
  const { parent, result } = await attempt(archive, limits);
  await assert.rejects(result, (err: Error & { code?: string }) => {
    assert.equal(err.code, 'PDK_TARBALL_REJECTED');
    assert.match(err.message, reason);
    return true;
  });
  assert.deepEqual(readdirSync(parent), ['work'], 'nothing written beside the work dir');
  assert.equal(existsSync(join('/tmp', marker)), false, 'nothing written at an absolute path');
  assert.equal(existsSync(join(sandbox, marker)), false, 'nothing written above the work dir');
}

const site: RawEntry[] = [{ path: 'site.ts', body: 'export default {}' }];

test('a well-formed site tarball unpacks with its files, modes and inner links', async () => {
  const { work, result } = await attempt(rawTarGz([
    { path: 'blog/', type: '5' },
    { path: 'blog/views.ts', body: 'export const x = 1;' },
    { path: 'bin/run', body: '#!/bin/sh', mode: 0o755 },
    { path: 'current', type: '2', linkpath: 'blog' },
    { path: './site.ts', body: 'export default {}' },
  ]));
  assert.deepEqual(await result, { files: 5, bytes: 45 });
  assert.equal(readFileSync(join(work, 'blog/views.ts'), 'utf8'), 'export const x = 1;');
  assert.equal(statSync(join(work, 'bin/run')).mode & 0o777, 0o755);
  assert.equal(readlinkSync(join(work, 'current')), 'blog');
});

test('an absolute path is rejected', () => assertRejected(rawTarGz([...site, { path: `/tmp/${marker}`, body: 'x' }]), /absolute path/));
test('a path climbing out with .. is rejected', () => assertRejected(rawTarGz([...site, { path: `a/../../${marker}`, body: 'x' }]), /climbs out/));
test('a symlink pointing outside is rejected', () => assertRejected(rawTarGz([{ path: 'etc', type: '2', linkpath: '/etc' }]), /points outside/));
test('a relative symlink escaping the site is rejected', () => assertRejected(rawTarGz([{ path: 'a/up', type: '2', linkpath: '../../..' }]), /points outside/));
test('writing through an inner symlink is rejected', () =>
  assertRejected(rawTarGz([{ path: 'sub/', type: '5' }, { path: 'l', type: '2', linkpath: 'sub' }, { path: 'l/x', body: 'x' }]), /through a link/));
test('a hard link to a file outside is rejected', () => assertRejected(rawTarGz([{ path: 'h', type: '1', linkpath: `../${marker}` }]), /climbs out|outside/));
test('a character device is rejected', () => assertRejected(rawTarGz([{ path: 'null', type: '3' }]), /device file/));
test('a block device is rejected', () => assertRejected(rawTarGz([{ path: 'sda', type: '4' }]), /device file/));
test('a fifo is rejected', () => assertRejected(rawTarGz([{ path: 'pipe', type: '6' }]), /fifo/));
test('too many files are rejected', () =>
  assertRejected(rawTarGz(Array.from({ length: 12 }, (_, i) => ({ path: `f${i}`, body: 'x' }))), /more than 10 entries/, { maxFiles: 10 }));
test('too many bytes are rejected', () =>
  assertRejected(rawTarGz([{ path: 'big', body: randomBytes(300_000) }]), /more than 100000 bytes/, { maxBytes: 100_000 }));
test('a compression bomb is rejected by its ratio before it is unpacked', () =>
  assertRejected(gzipSync(rawTar([{ path: 'zeros', body: Buffer.alloc(20 * 1024 * 1024) }])), /expands more than/, { ratioGraceBytes: 1024 * 1024 }));
test('something that is not a gzipped tarball is rejected', () => assertRejected(Buffer.from('hello, not a tarball'), /not a readable/));
test('an empty archive is rejected', () => assertRejected(rawTarGz([]), /empty|not a readable/));
