// The code of the topic and how-to guides compiles against the runtime's types: every ```ts block marked with a
// `file=` (invisible to readers) is written into a small site of its own page, beside the guide's models (a page
// that imports ./models.js without showing one gets the blog models of the models guide), and the TypeScript
// compiler checks them all with the platform's strictness. A renamed option or a changed signature fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeBlocks } from '../tools/blocks.js';
import { staleBuilds } from '../tools/freshness.js';

const docsDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = resolve(docsDir, '..');

function guidePages(): string[] {
  return ['topics', 'howto'].flatMap((d) => readdirSync(join(docsDir, d)).filter((f) => f.endsWith('.md')).map((f) => join(docsDir, d, f)));
}

test('the guides\' code blocks compile against the runtime', () => {
  const work = mkdtempSync(join(tmpdir(), 'paddock-snippets-'));
  try {
    const blogModels = codeBlocks(readFileSync(join(docsDir, 'topics', 'models.md'), 'utf8')).find((b) => b.attrs.file === 'blog/models.ts');
    assert.ok(blogModels, 'topics/models.md shows blog/models.ts');
    let count = 0;
    for (const page of guidePages()) {
      const blocks = codeBlocks(readFileSync(page, 'utf8')).filter((b) => b.lang === 'ts' && b.attrs.file);
      if (!blocks.length) continue;
      const dir = join(work, basename(dirname(page)), basename(page, '.md'));
      const written = new Set<string>();
      for (const b of blocks) {
        const file = join(dir, b.attrs.file as string);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, b.content);
        written.add(b.attrs.file as string);
        count++;
      }
      if (!written.has('blog/models.ts')) {
        mkdirSync(join(dir, 'blog'), { recursive: true });
        writeFileSync(join(dir, 'blog', 'models.ts'), blogModels.content);
      }
    }
    assert.ok(count >= 20, `only ${count} blocks are marked to compile`);
    writeFileSync(join(work, 'package.json'), '{ "type": "module" }\n');
    mkdirSync(join(work, 'node_modules', '@paddock'), { recursive: true });
    symlinkSync(join(repoRoot, 'runtime'), join(work, 'node_modules', '@paddock', 'runtime'), 'dir');
    writeFileSync(join(work, 'tsconfig.json'), JSON.stringify({
      extends: join(repoRoot, 'tsconfig.base.json'),
      compilerOptions: {
        noEmit: true, typeRoots: [join(repoRoot, 'node_modules', '@types')],
        // The runtime's declarations when its build is current (as a site sees them, and quick); its sources otherwise.
        ...(staleBuilds(repoRoot).runtime ? {} : { customConditions: [] }),
      },
      include: ['**/*.ts'],
      exclude: ['node_modules'],
    }));
    const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: work, encoding: 'utf8' });
    const errors = `${tsc.stdout}${tsc.stderr}`.replace(/^(?=\S+\.ts\()/gm, 'docs/');
    assert.equal(tsc.status, 0, `A guide's code does not compile (paths are docs/<folder>/<page>/<file>):\n${errors}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
