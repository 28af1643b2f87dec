// What a newcomer does first, replayed with the real binaries on one blog site made by `paddock init`: its tests pass
// under `paddock test` (and a failing one fails the run); `paddock dev` offers the unapplied migrations and, once they
// are applied, serves 200; while dev runs, `paddock migrate` and `paddock-runtime shell` go through it (a row made in
// the shell is served and outlives the server); a log file in the folder does not restart it; a type error fails
// `paddock check` with its file:line.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { bin, cliHome } from './support/cli.js';

const home = cliHome({ PADDOCK_RUNTIME_FROM: 'source', LOG_LEVEL: 'info' });
const site = join(home.dir, 'mysite');
const runtimeBin = join(site, 'node_modules', '@paddock', 'runtime', 'bin', 'paddock-runtime.mjs');
after(() => home.cleanup());

before(async () => {
  const r = await home.run(['init', 'mysite', '--starter', 'blog']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /paddock test +# run its tests \(blog\/tests\.ts\)/, 'init says how to run the tests');
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

interface Dev {
  port: number;
  child: ChildProcess;
  output(): string;
  /** Ctrl-C, and its exit code. */
  stop(): Promise<number | null>;
}

/** `paddock dev` in the site; its output is kept (or written to `logFile`, a file inside the site). */
async function startDev(args: string[] = [], logFile?: string): Promise<Dev> {
  const port = await freePort();
  let output = '';
  const fd = logFile ? openSync(logFile, 'a') : undefined;
  const child = spawn(process.execPath, [bin, 'dev', '--port', String(port), ...args], {
    cwd: site, env: home.env, stdio: ['ignore', fd ?? 'pipe', fd ?? 'pipe'],
  });
  if (fd !== undefined) closeSync(fd);
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    port, child,
    output: () => (logFile ? readFileSync(logFile, 'utf8') : output),
    stop: async () => { child.kill('SIGINT'); return exited; },
  };
}

/** `paddock dev` on a pseudo-terminal (util-linux `script`), as a person runs it: it may ask questions; Ctrl-C stops it. */
async function startDevOnTerminal(args: string[] = []): Promise<Dev & { answer(prompt: string, text: string): Promise<void> }> {
  const port = await freePort();
  // exec: the shell `script` starts must not stay between the terminal and paddock (it would take Ctrl-C for itself).
  const command = `exec ${[process.execPath, bin, 'dev', '--port', String(port), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')}`;
  const child = spawn('script', ['--quiet', '--return', '--flush', '--command', command, '/dev/null'], {
    cwd: site, env: { TERM: 'dumb', ...home.env }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => { output += d.toString().replace(/\r\n/g, '\n'); for (const l of listeners) l(); };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    port, child,
    output: () => output,
    answer: (prompt, text) => new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no "${prompt}" in:\n${output}`)), 60_000);
      const check = () => {
        if (!output.includes(prompt)) return;
        listeners.delete(check);
        clearTimeout(timer);
        child.stdin.write(`${text}\r`);
        done();
      };
      listeners.add(check);
      check();
    }),
    // Ctrl-C typed at the terminal: the whole foreground process group gets SIGINT.
    stop: async () => { child.stdin.write('\x03'); return exited; },
  };
}

/** GETs `path` until `until` accepts the response (the server is starting or reloading meanwhile). */
async function fetchUntil(dev: Dev, path: string, until: (status: number, body: string) => boolean): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + 60_000;
  let last = 'not listening';
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${dev.port}${path}`);
      const body = await res.text();
      if (until(res.status, body)) return { status: res.status, body };
      last = `${res.status}`;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`GET ${path} never satisfied the test (last: ${last}); dev said:\n${dev.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `paddock-runtime <args>` in the site, as a developer runs it in another terminal. */
function runtime(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [runtimeBin, ...args], { cwd: site, env: home.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe('a new blog site', () => {
  test('its tests pass under paddock test; a failing one makes the run exit non-zero', async () => {
    const passed = await home.run(['test'], { cwd: site, timeoutMs: 180_000 });
    assert.equal(passed.code, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout, /ℹ pass 7\nℹ fail 0/);
    const broken = join(site, 'blog', 'test_broken.ts');
    writeFileSync(broken, "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\ntest('fails on purpose', () => { assert.equal(1, 2); });\n");
    try {
      const failed = await home.run(['test', 'blog/test_broken.ts'], { cwd: site, timeoutMs: 180_000 });
      assert.equal(failed.code, 1, failed.stdout + failed.stderr);
      assert.match(failed.stdout, /✖ fails on purpose/);
    } finally {
      rmSync(broken);
    }
  });

  test('dev says which migrations are unapplied and how to apply them; at a terminal it asks, applies them when told, and serves 200', async () => {
    const offered = await startDev();
    try {
      const page = await fetchUntil(offered, '/', (status) => status === 500);
      assert.match(page.body, /A table is missing: are the migrations applied\?<\/strong> Run <code>paddock migrate<\/code>/);
      assert.match(offered.output(), /You have 4 unapplied migrations \(auth\.0001_initial, sessions\.0001_initial, admin\.0001_initial, blog\.0001_initial\)/);
      assert.match(offered.output(), /paddock migrate` \(it works while dev runs\), or start dev with --migrate/);
    } finally {
      assert.equal(await offered.stop(), 0);
    }
    // At a terminal, dev asks; the server starts once the answer is given (and the migrations applied).
    const dev = await startDevOnTerminal();
    try {
      await dev.answer('Apply them now? [Y/n] ', 'y');
      const page = await fetchUntil(dev, '/', () => true);
      assert.equal(page.status, 200, dev.output());
      assert.match(dev.output(), /You have 4 unapplied migrations .*Apply them now\? \[Y\/n\][\s\S]*Applying blog\.0001_initial/);
    } finally {
      assert.equal(await dev.stop(), 0, dev.output());
    }
  });

  test('while dev runs, shell and migrate go through it: a row made in the shell is served, and outlives the server', async () => {
    const dev = await startDev();
    try {
      await fetchUntil(dev, '/', (status) => status === 200);
      const lock = JSON.parse(readFileSync(join(site, '.paddock', 'db.lock'), 'utf8')) as { socket?: string };
      assert.ok(lock.socket, 'dev owns the embedded database and shares it');
      const made = await runtime(['shell', '-c', "await Post.objects.create({ title: 'Made in the shell', slug: 'made-in-the-shell', body: 'x', published: new Date() }); 'made'"]);
      assert.equal(made.code, 0, made.stderr);
      const page = await fetchUntil(dev, '/made-in-the-shell/', (status) => status !== 404);
      assert.equal(page.status, 200);
      assert.match(page.body, /Made in the shell/);
      const migrated = await home.run(['migrate'], { cwd: site });
      assert.equal(migrated.code, 0, migrated.stderr);
      assert.match(migrated.stdout, /No migrations to apply/);
    } finally {
      assert.equal(await dev.stop(), 0);
    }
    assert.equal(existsSync(join(site, '.paddock', 'db.lock')), false, 'the lock goes with the server');
    const after = await runtime(['shell', '-c', "await Post.objects.create({ title: 'After', slug: 'after', body: 'y' }); (await Post.objects.all()).map((p) => p.slug).sort().join(',')"]);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout.trim(), "'after,made-in-the-shell'", 'the row is on disk, and the database still takes writes');
  });

  test('dev --migrate with its log in the site folder serves, and reloads for a template, never for the log', async () => {
    const log = join(site, 'dev.log');
    const dev = await startDev(['--migrate'], log);
    try {
      await fetchUntil(dev, '/', (status) => status === 200);
      appendFileSync(join(site, 'templates', 'base.html'), '\n<!-- reloaded-marker -->\n');
      await fetchUntil(dev, '/', (status, body) => status === 200 && body.includes('reloaded-marker'));
      const reloads = dev.output().split('\n').filter((l) => l.includes('change detected'));
      assert.ok(reloads.length >= 1 && reloads.every((l) => l.includes('templates/base.html')), dev.output());
    } finally {
      assert.equal(await dev.stop(), 0);
    }
  });

  test('a type error fails check with its file:line; --types-warn reports it and passes', async () => {
    const ok = await home.run(['check'], { cwd: site, timeoutMs: 120_000 });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /Types: \d+ TypeScript files checked, no errors/);
    const views = join(site, 'blog', 'views.ts');
    const lines = readFileSync(views, 'utf8').split('\n').length;
    appendFileSync(views, 'export const broken: number = "x";\n');
    const failed = await home.run(['check'], { cwd: site, timeoutMs: 120_000 });
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.match(failed.stdout, new RegExp(`^blog/views\\.ts:${lines}:14 - error TS2322: Type 'string' is not assignable to type 'number'\\.$`, 'm'));
    assert.match(failed.stderr, /1 type error: `paddock push` would fail the same way/);
    const warned = await home.run(['check', '--types-warn'], { cwd: site, timeoutMs: 120_000 });
    assert.equal(warned.code, 0, warned.stdout + warned.stderr);
    assert.match(warned.stderr, /1 type error \(reported as warnings: --types-warn\)/);
  });
});
