// Finds every workspace's tests and runs them with Node's own test runner (TypeScript through tsx).
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';
import { root } from './env.mjs';

export const workspaces = ['runtime', 'control-plane', 'cli', 'dashboard', 'loadtests', 'docs'];

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === '.next' || name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (/\.test\.(ts|mts|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

/** Test files of the named workspaces (all by default), optionally filtered by a substring of the path. */
export function findTests({ only = workspaces, match } = {}) {
  const files = [];
  for (const ws of only) for (const sub of ['test', 'src']) walk(join(root, ws, sub), files);
  return files
    .map((f) => relative(root, f))
    .filter((f) => !match || f.includes(match))
    .sort();
}

/**
 * Runs the files with `node --test`. Files run in parallel processes (bounded), tests inside a
 * file in order. Resolves with the runner's exit code.
 */
export function runTests(files, { env = process.env, concurrency = 2, reporter = 'spec' } = {}) {
  const args = [
    '--import', 'tsx',
    '--conditions=paddock-source',
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-reporter=${reporter}`,
    '--test-reporter-destination=stdout',
    ...files,
  ];
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolveRun(code ?? (signal ? 1 : 0)));
  });
}
