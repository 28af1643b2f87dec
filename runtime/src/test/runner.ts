// `paddock-runtime test` (and `paddock test`): finds the site's test modules, makes the test databases, and runs the
// modules with Node's own test runner, one process per file, each with its own copy of the databases.
//
// Discovery, as Django's: every module named tests.ts, test_*.ts or *.test.ts (or .js, .mjs, .mts) in the site's
// folder, e.g. blog/tests.ts or blog/tests/test_views.ts; other modules of a tests/ folder are helpers, not run.
// Left out: what .paddockignore leaves out (node_modules/, .paddock/ ...), dotfolders and STATIC_ROOT.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandError } from '../errors.js';
import { IgnoreRules } from '../paddockignore.js';
import type { Site } from '../site/site.js';
import { createTestDatabases } from './databases.js';

/** A test module's file name. */
export const TEST_MODULE = /^(tests|test_[^/]*|[^/]+\.test)\.(ts|mts|js|mjs)$/;

function walk(site: Site, dir: string, rules: IgnoreRules, staticRoot: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    const rel = relative(site.dir, full).split(sep).join('/');
    if (rules.ignores(rel, entry.isDirectory())) continue;
    if (entry.isDirectory()) {
      if (full !== staticRoot) walk(site, full, rules, staticRoot, out);
    } else if (TEST_MODULE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** The site's test modules, or those of the apps, folders and files named by `labels` (Django's test labels). */
export function findTestModules(site: Site, labels: readonly string[] = [], cwd = process.cwd()): string[] {
  const rules = IgnoreRules.read(site.dir);
  const staticRoot = resolve(site.dir, site.settings.STATIC_ROOT);
  const all = (dir: string) => walk(site, dir, rules, staticRoot, []).sort();
  if (!labels.length) return all(site.dir);
  const found = new Set<string>();
  for (const label of labels) {
    const app = site.apps.find((a) => a.label === label);
    const path = [resolve(cwd, label), resolve(site.dir, label)].find((p) => existsSync(p));
    if (app) all(app.dir).forEach((f) => found.add(f));
    else if (path && statSync(path).isDirectory()) all(path).forEach((f) => found.add(f));
    else if (path) found.add(path);
    else {
      throw new CommandError(`No app, folder or file '${label}' to test. The site's apps are: ${site.apps.map((a) => a.label).join(', ') || '(none)'}.`, { usage: true });
    }
  }
  return [...found].sort();
}

export interface RunTestsOptions {
  /** App labels, folders or files (default: every test module of the site). */
  labels?: readonly string[];
  /** Only tests whose name matches this regular expression (node's --test-name-pattern). */
  name?: string;
  /** How many test files run at once (default: node's, one per CPU but one). */
  parallel?: number;
  /** node's test reporter (default 'spec'). */
  reporter?: string;
  out: (line: string) => void;
}

/** This module's own extension: .ts when the runtime runs from its sources, .js once built. */
const EXT = extname(fileURLToPath(import.meta.url));

/** Runs the site's tests; resolves with the exit code (0 when they all passed). */
export async function runTests(site: Site, opts: RunTestsOptions): Promise<number> {
  const files = findTestModules(site, opts.labels);
  if (!files.length) {
    opts.out(`No tests found in ${site.dir}: test modules are files named tests.ts, test_*.ts or *.test.ts (e.g. blog/tests.ts).`);
    return 0;
  }
  const dbs = await createTestDatabases(site, opts.out);
  try {
    const args = [
      '--import', new URL('../../bin/register.mjs', import.meta.url).href,
      '--import', new URL(`./setup${EXT}`, import.meta.url).href,
      '--test',
      `--test-reporter=${opts.reporter ?? 'spec'}`,
      '--test-reporter-destination=stdout',
      ...(opts.name ? [`--test-name-pattern=${opts.name}`] : []),
      ...(opts.parallel ? [`--test-concurrency=${opts.parallel}`] : []),
      ...files,
    ];
    const env: NodeJS.ProcessEnv = { ...process.env, PADDOCK_TEST_SITE: site.dir, PADDOCK_TEST_DATABASES: JSON.stringify(dbs.specs) };
    // Started from inside another test run (a test of a test), node would take this run for a nested one and skip it.
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, args, { cwd: site.dir, stdio: 'inherit', env });
    // Ctrl-C (or paddock's SIGINT) stops the test processes; this one waits for them to end, then cleans up.
    const stop = () => { child.kill('SIGINT'); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      return await new Promise<number>((done, fail) => {
        child.on('error', fail);
        child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
      });
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  } finally {
    await dbs.destroy();
  }
}
