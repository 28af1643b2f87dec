// `npm run docs:tutorial [-- --update] [-- --page 02] [-- --keep]`: follows the tutorial in a fresh home folder, as
// its test does, and reports where the pages and reality differ; --update writes each command's real output into the
// pages instead (read the diff before committing it). Needs the dev stack for the deploy part (npm run stack).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startTutorialPlatform, type RunningTutorialPlatform } from './tutorial-platform.js';
import { formatMismatches, TutorialRunner, tutorialPages } from './tutorial.js';
import { staleBuilds } from './freshness.js';

const { values } = parseArgs({
  options: {
    update: { type: 'boolean', default: false },
    page: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

const docsDir = fileURLToPath(new URL('..', import.meta.url));
// The deploy part starts a platform on the dev stack, as npm test does: the stack is brought up (or found running)
// for tests, and its addresses and roles come into this process's environment.
const stack = (await import(new URL('../../infra/stack.mjs', import.meta.url).href)) as {
  up(o: { purpose: string; quiet: boolean }): Promise<{ env: Record<string, string> }>;
};
for (const [k, v] of Object.entries((await stack.up({ purpose: 'test', quiet: true })).env)) process.env[k] ??= v;
const repoRoot = resolve(docsDir, '..');
const t0 = performance.now();
const home = mkdtempSync(join(tmpdir(), 'paddock-tutorial-'));
let platform: RunningTutorialPlatform | undefined;
const runner = new TutorialRunner({
  repoRoot, home, update: values.update, fromSource: staleBuilds(repoRoot),
  log: (line) => process.stderr.write(`  ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${line}\n`),
  platform: async () => (platform = await startTutorialPlatform(`tutorial-${Date.now().toString(36)}`)),
});
let code = 0;
try {
  for (const page of tutorialPages(docsDir)) {
    process.stderr.write(`${page.slice(docsDir.length)}\n`);
    try {
      await runner.runPage(page);
    } catch (err) {
      process.stdout.write(`${page.slice(docsDir.length)}: ${(err as Error).stack}\n`);
      code = 1;
      break;
    }
    if (values.page && page.includes(`/${values.page}`)) break;
  }
  if (runner.mismatches.length) {
    process.stdout.write(`${formatMismatches(runner.mismatches)}\n`);
    code = 1;
  } else if (code === 0) {
    process.stdout.write(values.update ? 'The pages now show what the commands print.\n' : 'The tutorial does what its pages say.\n');
  }
} finally {
  await runner.close();
  await platform?.close();
  if (values.keep) process.stderr.write(`The reader's home is kept in ${home}.\n`);
  else rmSync(home, { recursive: true, force: true });
}
process.exit(code);
