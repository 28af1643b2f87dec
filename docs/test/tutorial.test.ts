// The tutorial, followed as a reader would: every file it shows is written, every command it shows is typed (the real
// `paddock` and `paddock-runtime`, in a shell, in a fresh home folder), every page it shows is opened, and the site is
// pushed to a platform of its own and opened through the edge. A page whose code, commands or outputs no longer
// match what happens fails here; `npm run docs:tutorial -- --update` writes the real outputs into the pages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suffix } from '../../control-plane/test/support/platform.js';
import { staleBuilds } from '../tools/freshness.js';
import { startTutorialPlatform, type RunningTutorialPlatform } from '../tools/tutorial-platform.js';
import { formatMismatches, TutorialRunner, tutorialPages } from '../tools/tutorial.js';

const docsDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = resolve(docsDir, '..');

describe('the tutorial does what its pages say', () => {
  const home = mkdtempSync(join(tmpdir(), 'paddock-tutorial-'));
  // The platform starts while the local parts run; the deploy part waits for it.
  let platform: Promise<RunningTutorialPlatform> | undefined;
  let runner: TutorialRunner;

  before(() => {
    runner = new TutorialRunner({
      repoRoot, home, fromSource: staleBuilds(repoRoot),
      platform: () => platform ?? Promise.reject(new Error('no platform')),
    });
    platform = startTutorialPlatform(`tutorial-${suffix()}`);
    // A failure to start is reported by the part that needs the platform.
    platform.catch(() => undefined);
  });

  after(async () => {
    await runner?.close();
    await (await platform?.catch(() => undefined))?.close();
    rmSync(home, { recursive: true, force: true });
  });

  for (const page of tutorialPages(docsDir)) {
    test(basename(page, '.md'), async () => {
      const before = runner.mismatches.length;
      await runner.runPage(page);
      const found = runner.mismatches.slice(before);
      assert.equal(found.length, 0,
        `${formatMismatches(found)}\n\nIf the code changed on purpose, run \`npm run docs:tutorial -- --update\` to write the real output into the page, and read the diff.`);
    });
  }
});
