// The generated reference says what the code says: the build writes it (npm test builds first), and this test makes
// the quick parts again and compares, and checks that every public entry point and value export has its page.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedPages, runtimeEntryPoints } from '../tools/reference.js';

const docsDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = resolve(docsDir, '..');
const referenceDir = join(docsDir, 'reference');
const STALE = 'The generated reference is stale: run `npm run build -w docs` (npm test does it when the sources change).';

describe('the generated reference', () => {
  test('the CLI references and the platform API reference match what the code prints and serves now', async () => {
    for (const [name, text] of Object.entries(await generatedPages(repoRoot))) {
      const file = join(referenceDir, name);
      assert.ok(existsSync(file), `docs/reference/${name} is missing. ${STALE}`);
      assert.equal(readFileSync(file, 'utf8'), text, `docs/reference/${name} differs from what the code gives now. ${STALE}`);
    }
  });

  test('every entry point of @paddock/runtime, and every value it exports, has its page', async () => {
    const index = readFileSync(join(referenceDir, 'api', 'index.md'), 'utf8');
    const missing: string[] = [];
    for (const entry of runtimeEntryPoints(repoRoot)) {
      if (!index.includes(`[${entry.name}]`)) missing.push(`${entry.name} (module)`);
      const dir = join(referenceDir, 'api', entry.name.replace(/^@paddock\//, ''));
      const moduleIndex = readFileSync(join(dir, 'index.md'), 'utf8');
      const exports = (await import(entry.file)) as Record<string, unknown>;
      for (const name of Object.keys(exports)) {
        const pages = ['classes', 'functions', 'variables'].map((kind) => join(dir, kind, `${name}.md`));
        // A re-export of another entry's symbol is listed on the module's page, linking to that symbol's page.
        const reexported = moduleIndex.split('\n').some((line) => line.replace(/\\/g, '') === `### ${name}`);
        if (!pages.some(existsSync) && !reexported) missing.push(`${entry.name}: ${name}`);
      }
    }
    assert.deepEqual(missing, [], `Exports without a reference page. ${STALE}`);
  });
});
