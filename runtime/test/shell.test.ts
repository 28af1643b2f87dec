// `paddock-runtime shell`: the blog starter on PGlite, driven through the real bin with -c and over pipes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers/site.js';

const bin = fileURLToPath(new URL('../bin/paddock-runtime.mjs', import.meta.url));
const BLOG = join(import.meta.dirname, '..', 'starters', 'blog');
const tmp = tempDir('pdk-shell-');
const env: NodeJS.ProcessEnv = {
  ...process.env, PADDOCK_RUNTIME_FROM: 'source', DATABASE_URL: `pglite:${join(tmp.dir, 'db')}`, LOG_LEVEL: 'warn',
  SECRET_KEY: 'shell-test-secret-shell-test-secret-shell-test-secret', NODE_REPL_HISTORY: '',
};

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [bin, ...args], { cwd: BLOG, encoding: 'utf8', timeout: 60_000, env });
}

before(() => {
  const r = run(['migrate']);
  assert.equal(r.status, 0, r.stderr);
});
after(() => tmp.cleanup());

test('shell -c runs async code with the models loaded and prints the value', () => {
  const created = run(['shell', '-c', "await Post.objects.create({ title: 'Hi', slug: 'hi', body: 'x' }); console.log('made one')"]);
  assert.equal(created.status, 0, created.stderr);
  assert.match(created.stdout, /made one/);
  const counted = run(['shell', '-c', 'await Post.objects.count()']);
  assert.equal(counted.status, 0, counted.stderr);
  assert.equal(counted.stdout.trim(), '1');
});

test('shell -c exits non-zero with the error message when the code throws', () => {
  const r = run(['shell', '-c', "await Post.objects.get({ slug: 'no-such-post' })"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /No blog\.Post matches the query/);
  const syntax = run(['shell', '-c', 'if (']);
  assert.equal(syntax.status, 1);
  assert.match(syntax.stderr, /SyntaxError/);
});

test('shell without -c evaluates lines from a pipe in order, including top-level await, and ends at EOF', async () => {
  const child = spawn(process.execPath, [bin, 'shell', '--site-dir', BLOG], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const waitFor = (re: RegExp) => new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no ${re} in ${JSON.stringify(out)} (stderr ${err})`)), 30_000);
    const check = () => { if (re.test(out)) { clearTimeout(timer); child.stdout.off('data', onData); ok(); } };
    const onData = (d: Buffer) => { out += d.toString(); check(); };
    child.stdout.on('data', onData);
    check();
  });
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  await waitFor(/Models: .*Post/);
  // Both lines at once: the second runs only after the first's await has finished.
  child.stdin.write('const n = await Post.objects.count()\nn + 41\n');
  await waitFor(/\b42\b/);
  child.stdin.write('[typeof defineSite, User.name]\n');
  await waitFor(/\[ 'function', 'User' \]/);
  child.stdin.end();
  assert.equal(await exited, 0, err);
});
