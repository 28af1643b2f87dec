// Attacks on the unpacker with chains of symlinks whose names look harmless one by one
// (`l1 -> l0/..` reads as "the root" textually) but that together climb to the host's `/`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { unpackTarball } from '../../src/builder/unpack.js';
import { rawTarGz, type RawEntry } from './tar-fixture.js';

const sandbox = mkdtempSync(join(tmpdir(), 'pdk-link-escapes-'));
after(() => rmSync(sandbox, { recursive: true, force: true }));

/** `l0 -> .`, `l(i) -> l(i-1)/..`: each resolves one level higher, `l12` is the host's `/`. */
function chain(depth = 12): RawEntry[] {
  const entries: RawEntry[] = [{ path: 'site.ts', body: 'export default {}' }, { path: 'l0', type: '2', linkpath: '.' }];
  for (let i = 1; i <= depth; i++) entries.push({ path: `l${i}`, type: '2', linkpath: `l${i - 1}/..` });
  return entries;
}

async function assertRejected(entries: RawEntry[], reason: RegExp): Promise<string> {
  const parent = mkdtempSync(join(sandbox, 'case-'));
  const work = join(parent, 'work');
  mkdirSync(work);
  await assert.rejects(unpackTarball(Readable.from([rawTarGz(entries)]), work), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'PDK_TARBALL_REJECTED');
    assert.match(err.message, reason);
    return true;
  });
  assert.deepEqual(readdirSync(parent), ['work'], 'nothing written beside the work dir');
  return work;
}

test('a hard link read through a chain of symlinks climbing to / does not copy a host file in', async () => {
  const work = await assertRejected([...chain(), { path: 'stolen', type: '1', linkpath: 'l12/etc/hostname' }], /through a link|outside/);
  assert.equal(existsSync(join(work, 'stolen')), false, 'the host file was not copied into the site');
});

test('a chain of symlinks that each look inside but together resolve to / is rejected', async () => {
  await assertRejected(chain(), /points outside/);
});

test('a dangling symlink is rejected', async () => {
  await assertRejected([{ path: 'site.ts', body: 'x' }, { path: 'gone', type: '2', linkpath: 'nowhere' }], /dangling/);
});

test('a symlink into the site through another inner symlink still unpacks', async () => {
  const parent = mkdtempSync(join(sandbox, 'ok-'));
  const work = join(parent, 'work');
  mkdirSync(work);
  const result = await unpackTarball(Readable.from([rawTarGz([
    { path: 'blog/', type: '5' }, { path: 'blog/a.ts', body: 'x' },
    { path: 'b', type: '2', linkpath: 'blog' }, { path: 'c', type: '2', linkpath: 'b/a.ts' }, { path: 'self', type: '2', linkpath: '.' },
  ])]), work);
  assert.equal(result.files, 5);
});
