// Attack on the compiler's command line: a tenant file whose name reads as an esbuild option
// (`--metafile=/abs/path.ts`) would make the compiler write wherever the name says on the host.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buildSlug } from '../../src/builder/build.js';
import { rawTarGz, type RawEntry } from './tar-fixture.js';

const sandbox = mkdtempSync(join('/tmp', 'pdk-esb-'));
after(() => rmSync(sandbox, { recursive: true, force: true }));

async function build(entries: RawEntry[]) {
  const workDir = mkdtempSync(join(sandbox, 'w-'));
  return buildSlug({ tarball: Readable.from([rawTarGz(entries)]), workDir, slugPath: join(workDir, 'slug.tar.gz') });
}

test('a file named like an esbuild option is refused and writes nothing on the host', async () => {
  const target = join(sandbox, 'pwned.ts');
  const name = `--metafile=${target}`; // relative in the tarball: a folder "--metafile=" holding tmp/.../pwned.ts
  assert.ok(name.length < 100, 'fits a ustar name');
  const outcome = await build([{ path: 'site.ts', body: 'export default {}' }, { path: name, body: 'export {}' }]).then(() => undefined, (err: unknown) => err);
  assert.equal(existsSync(target), false, 'esbuild did not write the metafile where the file name said');
  assert.equal((outcome as { code?: string } | undefined)?.code, 'PDK_SITE_INVALID');
  assert.match((outcome as Error).message, /--metafile/);
});

test('a nested file whose folder starts with a dash still compiles as a file', async () => {
  const r = await build([{ path: 'site.ts', body: 'export default {}' }, { path: 'app/-draft.ts', body: 'export const x: number = 1;' }]);
  assert.equal(r.manifest.compiled, 2);
});
