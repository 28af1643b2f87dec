// `paddock-runtime test` and @paddock/runtime/test, end to end: the fixture site's own tests (fixtures/toolkit-site,
// notes/tests.ts) check what the toolkit promises from inside; this file runs them through the real bin on the
// embedded database and on Postgres, and checks discovery, a failing run's exit code and the cleanup.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { loadSite } from '@paddock/runtime/host';
import { findTestModules } from '../../src/test/runner.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'paddock-runtime.mjs');
const SITE = join(import.meta.dirname, '..', 'fixtures', 'toolkit-site');

interface Run { code: number | null; output: string }

function runTests(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const child = spawn(process.execPath, [BIN, 'test', ...args], {
    cwd: opts.cwd ?? SITE, env: { ...process.env, PADDOCK_RUNTIME_FROM: 'source', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  return new Promise((done) => child.on('close', (code) => done({ code, output })));
}

/** The `ℹ pass N` / `ℹ fail N` summary of node's spec reporter. */
function summary(output: string): { pass: number; fail: number } {
  const count = (what: string) => Number(new RegExp(`ℹ ${what} (\\d+)`).exec(output)?.[1] ?? NaN);
  return { pass: count('pass'), fail: count('fail') };
}

describe('test discovery', () => {
  test('finds tests.ts, test_*.ts and *.test.ts modules (not the helpers beside them), by app, folder or file', async () => {
    const site = await loadSite(SITE, { checkOnly: true, env: {} });
    const rel = (files: string[]) => files.map((f) => relative(SITE, f));
    assert.deepEqual(rel(findTestModules(site)), ['notes/tests.ts', 'notes/tests/test_isolation.ts']);
    assert.deepEqual(rel(findTestModules(site, ['notes'])), ['notes/tests.ts', 'notes/tests/test_isolation.ts']);
    assert.deepEqual(rel(findTestModules(site, ['notes/tests'], SITE)), ['notes/tests/test_isolation.ts']);
    assert.throws(() => findTestModules(site, ['blog'], SITE), /No app, folder or file 'blog' to test\. The site's apps are: auth, sessions, notes\./);
  });
});

describe('paddock-runtime test', { concurrency: true }, () => {
  test('runs the site\'s tests on the embedded database: each test rolled back, every toolkit promise kept; the site\'s own database untouched', async () => {
    const run = await runTests([]);
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(summary(run.output), { pass: 21, fail: 0 }, run.output);
    assert.equal(existsSync(join(SITE, '.paddock')), false, 'the test run never opens the site\'s own (dev) database');
  });

  test('runs them on Postgres: a migrated test_<name> template, a clone per test file, all dropped afterwards', async (t) => {
    const adminUrl = process.env.PADDOCK_TEST_DATABASE_ADMIN_URL;
    if (!adminUrl) { t.skip('PADDOCK_TEST_DATABASE_ADMIN_URL is set by npm test'); return; }
    const name = `pdk_toolkit_${process.pid}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`create database "${name}"`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const run = await runTests([], { env: { DATABASE_URL: url.href } });
      assert.equal(run.code, 0, run.output);
      assert.deepEqual(summary(run.output), { pass: 21, fail: 0 }, run.output);
      assert.match(run.output, new RegExp(`Creating test database for alias 'default' \\(test_${name}\\)`));
      const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where datname like $1', [`test_${name}%`]);
      assert.deepEqual(rows, [], 'no test database is left behind');
    } finally {
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  });

  test('a failing test makes the run exit 1 and says which and why; --name picks tests', async () => {
    const dir = mkdtempSync(join(import.meta.dirname, '..', 'fixtures', '.toolkit-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(SITE, dir, { recursive: true });
    writeFileSync(join(dir, 'notes', 'test_broken.ts'), [
      "import { test } from 'node:test';",
      "import { Client, assertContains } from '@paddock/runtime/test';",
      "test('passes', async () => { assertContains(await new Client().get('/'), 'No notes.'); });",
      "test('fails on purpose', async () => { assertContains(await new Client().get('/'), 'not on the page'); });",
    ].join('\n'));
    const failed = await runTests(['notes/test_broken.ts'], { cwd: dir });
    assert.equal(failed.code, 1, failed.output);
    assert.deepEqual(summary(failed.output), { pass: 1, fail: 1 }, failed.output);
    assert.match(failed.output, /✖ fails on purpose[\s\S]*Couldn't find 'not on the page' in the response/);
    const picked = await runTests(['notes/test_broken.ts', '--name', '^passes$'], { cwd: dir });
    assert.equal(picked.code, 0, picked.output);
    assert.deepEqual(summary(picked.output), { pass: 1, fail: 0 }, picked.output);
  });
});
