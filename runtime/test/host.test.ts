import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { app, path, redirect, Response } from '@paddock/runtime';
import { createServer, loadSite } from '@paddock/runtime/host';
import { changeFilter } from '../src/host/dev.js';
import { collectStatic } from '../src/static/collect.js';
import { makeSite, tempDir, TEST_SECRET } from './helpers/site.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'paddock-runtime.mjs');
const HELLO = join(import.meta.dirname, 'fixtures', 'hello');

const tmp = tempDir('pdk-host-');
after(() => tmp.cleanup());

function staticSite(dev: boolean) {
  mkdirSync(join(tmp.dir, 'blog', 'static', 'blog'), { recursive: true });
  writeFileSync(join(tmp.dir, 'blog', 'static', 'blog', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(tmp.dir, 'blog', 'static', 'blog', 'style.css'), 'body { background: url("logo.svg"); }');
  writeFileSync(join(tmp.dir, 'secret.txt'), 'not static');
  if (!existsSync(join(tmp.dir, 'blog', 'static', 'blog', 'link.txt'))) symlinkSync(join(tmp.dir, 'secret.txt'), join(tmp.dir, 'blog', 'static', 'blog', 'link.txt'));
  return makeSite({
    dir: tmp.dir, apps: [app('blog', join(tmp.dir, 'blog'))],
    urls: [path('', () => new Response('home')), path('go/', (req) => redirect(req.query.get('to') ?? '/'))],
    settings: { DATA_UPLOAD_MAX_MEMORY_SIZE: 1024, ALLOWED_HOSTS: ['127.0.0.1'] },
    env: dev ? { DEBUG: 'true' } : {},
  });
}

describe('site host over HTTP', () => {
  it('answers /healthz itself, refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE with 413 and security headers', async () => {
    const site = staticSite(false);
    const server = createServer(site);
    const port = await server.listen(0, '127.0.0.1');
    try {
      const h = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(h.status, 200);
      assert.deepEqual(await h.json(), { status: 'ok' });
      const big = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x'.repeat(5000), headers: { 'content-type': 'text/plain' } });
      assert.equal(big.status, 413);
      assert.equal(big.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(big.headers.get('x-frame-options'), 'DENY');
      const home = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(await home.text(), 'home');
      const css = await fetch(`http://127.0.0.1:${port}/static/blog/style.css`);
      assert.equal(css.status, 200, 'before any collectstatic, production serves the apps\' static files');
      assert.equal(css.headers.get('cache-control'), 'public, max-age=300');
      await css.text();
      const split = await fetch(`http://127.0.0.1:${port}/go/?to=${encodeURIComponent('/x\r\nSet-Cookie: a=b')}`, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
      assert.equal(split.status, 500, 'a CR/LF in a header is refused, never sent, and the request does not hang');
      assert.equal(split.headers.get('set-cookie'), null);
      await split.text();
      const odd = await fetch(`http://127.0.0.1:${port}/`, { method: 'PROPFIND' });
      assert.equal(odd.status, 405);
      assert.equal(odd.headers.get('x-content-type-options'), 'nosniff');
      await odd.text();
    } finally {
      await server.close();
    }
  });

  it('serves static files from apps in dev, and refuses paths that climb out of the static folders', async () => {
    const server = createServer(staticSite(true));
    const port = await server.listen(0, '127.0.0.1');
    try {
      const css = await fetch(`http://127.0.0.1:${port}/static/blog/style.css`);
      assert.equal(css.status, 200);
      assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
      assert.equal(css.headers.get('x-content-type-options'), 'nosniff');
      assert.match(await css.text(), /background/);
      for (const p of ['/static/blog/link.txt', '/static/../secret.txt', '/static/%2e%2e/%2e%2e/secret.txt', '/static/blog/..%2f..%2f..%2fsecret.txt']) {
        const r = await fetch(`http://127.0.0.1:${port}${p}`);
        assert.notEqual(r.status, 200, p);
        assert.ok(!(await r.text()).includes('not static'), p);
      }
    } finally {
      await server.close();
    }
  });

  it('collectstatic writes content-hashed copies and a manifest; production serves them with immutable caching', async () => {
    const dev = staticSite(true);
    const result = collectStatic(dev.staticFiles.sourceDirs, dev.staticFiles.root);
    assert.equal(result.files, 2);
    const hashedCss = result.manifest.paths['blog/style.css'];
    const hashedSvg = result.manifest.paths['blog/logo.svg'];
    assert.match(hashedCss ?? '', /^blog\/style\.[0-9a-f]{12}\.css$/);
    assert.ok(readFileSync(join(dev.staticFiles.root, hashedCss!), 'utf8').includes(hashedSvg!.replace('blog/', '')), 'CSS points at the hashed image');
    const prod = staticSite(false);
    assert.equal(prod.staticUrl('blog/style.css'), `/static/${hashedCss}`);
    const server = createServer(prod);
    const port = await server.listen(0, '127.0.0.1');
    try {
      const r = await fetch(`http://127.0.0.1:${port}/static/${hashedCss}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.match(await r.text(), /background/);
    } finally {
      await server.close();
    }
  });
});

function startBin(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, SECRET_KEY: TEST_SECRET, PADDOCK_RUNTIME_FROM: 'source', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d; });
  child.stderr.on('data', (d: Buffer) => { out += d; });
  const port = new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 60000);
    child.on('exit', () => { clearTimeout(t); reject(new Error(`exited: ${out}`)); });
    child.stdout.on('data', () => {
      const m = /"port":(\d+)[^\n]*"msg":"listening"/.exec(out);
      if (m) { clearTimeout(t); resolve(Number(m[1])); }
    });
  });
  port.catch(() => { /* commands that never listen */ });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, port, exited, output: () => out };
}

describe('paddock-runtime bin', { concurrency: true }, () => {
  it('serves a site folder, and on SIGTERM finishes the in-flight request before exiting 0', async () => {
    const proc = startBin(['serve', '--site-dir', HELLO, '--port', '0', '--host', '127.0.0.1']);
    try {
      const port = await proc.port;
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'Hello, world!');
      const slow = fetch(`http://127.0.0.1:${port}/slow/`).then((r) => r.text());
      await new Promise((r) => setTimeout(r, 200));
      proc.child.kill('SIGTERM');
      assert.equal(await slow, 'slow done');
      assert.equal(await proc.exited, 0);
    } finally {
      proc.child.kill('SIGKILL');
    }
  });

  it('runs --workers 2 processes on one port and stops them all on SIGTERM', async () => {
    const proc = startBin(['serve', '--site-dir', HELLO, '--port', '0', '--host', '127.0.0.1', '--workers', '2']);
    try {
      const port = await proc.port;
      const texts = await Promise.all(Array.from({ length: 4 }, () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())));
      assert.deepEqual(texts, Array(4).fill('Hello, world!'));
      proc.child.kill('SIGTERM');
      assert.equal(await proc.exited, 0);
    } finally {
      proc.child.kill('SIGKILL');
    }
  });

  it('never starts more --workers than the CPUs the process may use, and refuses a count that is not one', async () => {
    const proc = startBin(['serve', '--site-dir', HELLO, '--port', '0', '--host', '127.0.0.1', '--workers', '64']);
    const bad = startBin(['serve', '--site-dir', HELLO, '--port', '0', '--workers', 'two']);
    try {
      const port = await proc.port;
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'Hello, world!');
      assert.match(proc.output(), /--workers 64 is more than the \d+ CPU\(s\) this process may use; starting \d+/);
      proc.child.kill('SIGTERM');
      assert.equal(await proc.exited, 0);
      assert.equal(await bad.exited, 2);
      assert.match(bad.output(), /--workers two is not a positive whole number or "auto"/);
    } finally {
      proc.child.kill('SIGKILL');
      bad.child.kill('SIGKILL');
    }
  });

  it('delegates migration commands to the ORM (showmigrations, sqlmigrate on the blog starter, run from its folder as Django\'s are)', async () => {
    const blog = join(import.meta.dirname, '..', 'starters', 'blog');
    const show = startBin(['showmigrations', '--site-dir', blog], { DATABASE_URL: 'pglite:memory' });
    const sql = startBin(['sqlmigrate', 'blog', '0001'], { DATABASE_URL: 'pglite:memory' }, join(blog, 'blog', 'templates'));
    const folder = startBin(['sqlmigrate', blog, 'blog', '0001'], { DATABASE_URL: 'pglite:memory' });
    assert.equal(await show.exited, 0);
    assert.match(show.output(), /blog\n \[ \] 0001_initial/);
    assert.equal(await sql.exited, 0);
    assert.match(sql.output(), /create table "blog_post"/);
    const inside = startBin(['sqlmigrate', blog, 'blog', '0001'], { DATABASE_URL: 'pglite:memory' }, blog);
    assert.equal(await folder.exited, 2, 'a site folder is an option, not a first word');
    assert.match(folder.output(), /No site\.ts in .*\. To run sqlmigrate on the site in .*blog, use --site-dir/);
    assert.equal(await inside.exited, 2);
    assert.match(inside.output(), /sqlmigrate takes at most 2 arguments, but was given '0001'\. To run it on the site in .*, use --site-dir/);
  });

  it('refuses to serve without SECRET_KEY outside debug, saying what to set', async () => {
    const proc = startBin(['serve', '--site-dir', HELLO, '--port', '0'], { SECRET_KEY: '' });
    const code = await proc.exited;
    assert.equal(code, 1);
    assert.match(proc.output(), /SECRET_KEY must be set/);
  });

  it('check --deploy lists what a production site lacks, with stable IDs', async () => {
    const proc = startBin(['check', '--deploy', '--site-dir', HELLO], { SECRET_KEY: 'short', DEBUG: 'true' });
    await proc.exited;
    const out = proc.output();
    for (const id of ['security.W004', 'security.W008', 'security.W009', 'security.W012', 'security.W016', 'security.W018']) assert.ok(out.includes(`(${id})`), id);
    assert.ok(!out.includes('security.W001'), 'security middleware is installed by default');
    assert.ok(existsSync(BIN));
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('paddock-runtime serve --dev', () => {
  it('reloads for source files only: never for .paddock/, node_modules/, logs, dotfiles, STATIC_ROOT or what .paddockignore lists', async () => {
    const dir = mkdtempSync(join(import.meta.dirname, 'fixtures', '.watch-'));
    try {
      cpSync(join(import.meta.dirname, '..', 'starters', 'blog'), dir, { recursive: true });
      writeFileSync(join(dir, '.paddockignore'), 'drafts/\n*.bak\n');
      const site = await loadSite(dir, { checkOnly: true, env: {} });
      const follows = changeFilter(site);
      for (const f of ['site.ts', 'blog/views.ts', 'blog/templates/blog/index.html', 'blog/static/blog/style.css', 'templates/base.html', 'lib/helpers.ts', 'package.json']) {
        assert.equal(follows(f), true, f);
      }
      for (const f of ['dev.log', 'logs/server.log', 'out.txt', '.paddock/db/base/1/1259', '.paddock/db.lock', 'node_modules/x/index.js',
        '.git/index', '.env', 'staticfiles/blog/style.css', 'drafts/post.ts', 'blog/views.ts.bak', 'notes.md']) {
        assert.equal(follows(f), false, f);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reloads the site when a file changes', async () => {
    // Inside the repo so the copied site still resolves @paddock/runtime.
    const dir = mkdtempSync(join(import.meta.dirname, 'fixtures', '.dev-'));
    cpSync(HELLO, dir, { recursive: true });
    const port = await freePort();
    const proc = startBin(['serve', '--dev', '--port', String(port), '--host', '127.0.0.1'], {}, dir);
    try {
      await proc.port;
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'Hello, world!');
      const file = join(dir, 'site.ts');
      writeFileSync(file, readFileSync(file, 'utf8').replace('Hello, world!', 'Hello, reloaded!'));
      let text = '';
      for (let i = 0; i < 100 && text !== 'Hello, reloaded!'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        text = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text(), () => '');
      }
      assert.equal(text, 'Hello, reloaded!');
      proc.child.kill('SIGTERM');
      assert.equal(await proc.exited, 0);
    } finally {
      proc.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
