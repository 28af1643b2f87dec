#!/usr/bin/env node
// `npm test`: the same preparation as `npm start` (packages, dev stack, build), then typecheck,
// lint and every workspace's tests against the real services.
//   npm test                    everything
//   npm test -- runtime cli     only these workspaces' tests (still typechecks and lints)
//   npm test -- --match edge    only test files whose path contains "edge"
//   npm test -- --no-static     skip typecheck and lint
import { spawnSync } from 'node:child_process';
import { root, platformEnv } from './lib/env.mjs';
import { bold, fail, ok, red, step, StackError } from './lib/log.mjs';
import { prepare } from './lib/prepare.mjs';
import { findTests, runTests, workspaces } from './lib/tests.mjs';

function parseArgs(argv) {
  const opts = { only: [], match: undefined, static: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--match') opts.match = argv[++i];
    else if (a === '--no-static') opts.static = false;
    else if (workspaces.includes(a)) opts.only.push(a);
    else throw new StackError(`Unknown argument "${a}".`, `Usage: npm test -- [${workspaces.join('|')} ...] [--match TEXT] [--no-static]`);
  }
  return opts;
}

function check(name, cmd, args) {
  step(`${name}…`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) throw new StackError(`${name} failed.`, 'Fix what it printed above, then run `npm test` again.');
  ok(`${name} passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  console.log(bold('Paddock test suite'));
  await prepare({ purpose: 'test' });
  if (opts.static) {
    check('Typecheck', 'npm', ['run', 'typecheck', '--silent']);
    check('Lint', 'npx', ['eslint', '.']);
  }
  const files = findTests({ only: opts.only.length ? opts.only : undefined, match: opts.match });
  if (files.length === 0) throw new StackError('No test files matched.', 'Check the workspace names or --match text.');
  step(`Running ${files.length} test files…`);
  const code = await runTests(files, { env: platformEnv({ NODE_ENV: 'test', NEXT_TELEMETRY_DISABLED: '1' }) });
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  if (code !== 0) {
    console.error(red(`✗ Tests failed (${secs} s in all).`));
    process.exit(code);
  }
  ok(`All tests passed (${secs} s in all).`);
}

main().catch(fail);
