import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar';
import { buildSlug, MANIFEST_PATH } from '../../src/builder/build.js';
import { runLimited } from '../../src/builder/limited-process.js';

const sandbox = mkdtempSync(join(tmpdir(), 'pdk-build-'));
after(() => rmSync(sandbox, { recursive: true, force: true }));
let n = 0;

async function pack(files: Record<string, string>): Promise<Readable> {
  const dir = join(sandbox, `src-${n++}`);
  for (const [p, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), body);
  }
  const chunks: Buffer[] = [];
  for await (const c of tar.c({ gzip: true, cwd: dir, portable: true }, Object.keys(files))) chunks.push(c as Buffer);
  return Readable.from([Buffer.concat(chunks)]);
}

async function build(files: Record<string, string>) {
  const workDir = join(sandbox, `work-${n++}`);
  mkdirSync(workDir);
  return buildSlug({ tarball: await pack(files), workDir, slugPath: join(workDir, 'slug.tar.gz') });
}

test('a TypeScript site builds into a slug with compiled modules, its other files and a manifest', async () => {
  const r = await build({
    'site.ts': "import { greeting } from './blog/views.js';\nexport const settings: { DEBUG: boolean } = { DEBUG: false };\nexport { greeting };\n",
    'blog/views.ts': 'export const greeting = (name: string): string => `hi ${name}`;\n',
    'blog/templates/blog/index.html': '<h1>{{ title }}</h1>',
    'package.json': JSON.stringify({ name: 'blog', type: 'module', dependencies: { '@paddock/runtime': '*' } }),
  });
  const out = join(sandbox, `unpacked-${n++}`);
  mkdirSync(out);
  await tar.x({ file: r.slugPath, cwd: out });
  const manifest = JSON.parse(readFileSync(join(out, MANIFEST_PATH), 'utf8'));
  assert.equal(manifest.entry, 'site.js');
  assert.equal(manifest.compiled, 2);
  assert.deepEqual(manifest.dependencies, {}, 'the runtime comes from the image, not npm');
  assert.equal(readFileSync(join(out, 'blog/templates/blog/index.html'), 'utf8'), '<h1>{{ title }}</h1>');
  const mod = await import(join(out, 'site.js'));
  assert.equal(mod.greeting('you'), 'hi you', 'compiled modules import each other');
  assert.equal(mod.settings.DEBUG, false);
  assert.match(r.sha256, /^[0-9a-f]{64}$/);
});

test('a site without site.ts is refused with a clear error', async () => {
  await assert.rejects(build({ 'views.ts': 'export {}' }), { code: 'PDK_SITE_INVALID', message: /no site\.ts/ });
});

test('a TypeScript syntax error fails the build with the compiler message', async () => {
  await assert.rejects(build({ 'site.ts': 'export const x = ;' }), { code: 'PDK_BUILD_FAILED', message: /did not compile/ });
});

test('a dependency from outside the registry is refused', async () => {
  await assert.rejects(build({ 'site.ts': 'export {}', 'package.json': JSON.stringify({ dependencies: { evil: 'file:../../etc' } }) }), { code: 'PDK_DEPENDENCY_SOURCE', message: /"evil"/ });
});

test('a build step over its memory limit is killed', async () => {
  const r = await runLimited({
    cmd: process.execPath,
    args: ['-e', "const a=[];for(let i=0;i<64;i++){a.push(Buffer.alloc(16*1024*1024,1))};console.log('survived')"],
    cwd: sandbox,
    limits: { memoryMb: 128, cpus: 1, pids: 64, timeoutMs: 30_000 },
  });
  assert.notEqual(r.enforcement, 'none', 'limits are enforced by a cgroup on this host');
  assert.notEqual(r.exitCode, 0);
  assert.ok(!r.output.includes('survived'));
});
