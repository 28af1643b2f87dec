// Attacks on the builder's copy of the site into its output: links planted in the upload must stay
// what they were (relative, inside the site) and nothing the builder writes may go through them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar';
import { buildSlug, MANIFEST_PATH } from '../../src/builder/build.js';
import { ProcessBuildSandbox, type BuildSandbox } from '../../src/builder/sandbox.js';
import { rawTarGz, type RawEntry } from './tar-fixture.js';

const sandbox = mkdtempSync(join(tmpdir(), 'pdk-build-links-'));
after(() => rmSync(sandbox, { recursive: true, force: true }));
let n = 0;

async function buildAndUnpack(entries: RawEntry[], buildSandbox?: BuildSandbox): Promise<string> {
  const workDir = join(sandbox, `work-${n++}`);
  mkdirSync(workDir);
  const r = await buildSlug({ tarball: Readable.from([rawTarGz(entries)]), workDir, slugPath: join(workDir, 'slug.tar.gz'), ...(buildSandbox ? { sandbox: buildSandbox } : {}) });
  const out = join(sandbox, `slug-${n++}`);
  mkdirSync(out);
  await tar.x({ file: r.slugPath, cwd: out });
  return out;
}

test('an inner symlink reaches the slug as the same relative link, not an absolute path into the build folder', async () => {
  const out = await buildAndUnpack([
    { path: 'site.ts', body: 'export default {}' }, { path: 'blog/', type: '5' }, { path: 'blog/a.html', body: 'hi' },
    { path: 'current', type: '2', linkpath: 'blog' },
  ]);
  assert.equal(readlinkSync(join(out, 'current')), 'blog');
});

test('a .paddock link planted in the upload does not redirect the manifest; the manifest is a real file', async () => {
  const out = await buildAndUnpack([
    { path: 'site.ts', body: 'export default {}' }, { path: 'blog/', type: '5' }, { path: 'blog/a.html', body: 'hi' },
    { path: '.paddock', type: '2', linkpath: 'blog' },
  ]);
  assert.ok(lstatSync(join(out, '.paddock')).isDirectory(), '.paddock is the builder\'s own directory');
  assert.ok(lstatSync(join(out, MANIFEST_PATH)).isFile());
  assert.equal(JSON.parse(readFileSync(join(out, MANIFEST_PATH), 'utf8')).entry, 'site.js');
  assert.deepEqual(readdirSync(join(out, 'blog')), ['a.html'], 'nothing written through the link');
});

test('a project .npmrc and node_modules from the upload do not reach the build or the slug', async () => {
  const out = await buildAndUnpack([
    { path: 'site.ts', body: 'export default {}' }, { path: '.npmrc', body: 'registry=http://127.0.0.1:9/\n' },
    { path: 'node_modules/', type: '5' }, { path: 'node_modules/evil/index.js', body: 'x' },
  ]);
  assert.equal(existsSync(join(out, '.npmrc')), false);
  assert.equal(existsSync(join(out, 'node_modules')), false);
});

// The process driver's build (no container): the compiler is a child of the worker, without its environment.
test('the compiler runs without the worker\'s environment (no platform secrets)', async () => {
  const real = join(dirname(createRequire(import.meta.url).resolve('esbuild')), '..', 'bin', 'esbuild');
  const spy = join(sandbox, 'esbuild-spy.sh');
  const seen = join(sandbox, 'esbuild-env.txt');
  writeFileSync(spy, `#!/bin/sh\nenv > '${seen}'\nexec '${real}' "$@"\n`);
  chmodSync(spy, 0o755);
  const before = { bin: process.env.ESBUILD_BINARY_PATH, secret: process.env.PADDOCK_BUILD_SECRET_PROBE };
  process.env.ESBUILD_BINARY_PATH = spy;
  process.env.PADDOCK_BUILD_SECRET_PROBE = 'do-not-leak';
  try {
    await buildAndUnpack([{ path: 'site.ts', body: 'export default {}' }], new ProcessBuildSandbox());
  } finally {
    if (before.bin === undefined) delete process.env.ESBUILD_BINARY_PATH; else process.env.ESBUILD_BINARY_PATH = before.bin;
    if (before.secret === undefined) delete process.env.PADDOCK_BUILD_SECRET_PROBE; else process.env.PADDOCK_BUILD_SECRET_PROBE = before.secret;
  }
  const env = readFileSync(seen, 'utf8');
  assert.doesNotMatch(env, /do-not-leak|PADDOCK_/);
  assert.match(env, /^PATH=/m);
});
