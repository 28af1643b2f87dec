import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ExitCode } from '../src/exit-codes.js';
import { bin, cliHome } from './support/cli.js';

// The runtime from source: a dist/ left from an older build must not decide what this tests.
const home = cliHome({ PADDOCK_RUNTIME_FROM: 'source' });
after(() => home.cleanup());

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('local development commands', () => {
  test('init copies a starter, gives it a package.json of its own and links the runtime', async () => {
    for (const starter of ['blank', 'blog']) {
      const r = await home.run(['init', `my-${starter}`, '--starter', starter]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`Created a ${starter} site in my-${starter}`));
      const dir = join(home.dir, `my-${starter}`);
      assert.ok(existsSync(join(dir, 'site.ts')));
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; type: string };
      assert.equal(pkg.name, `my-${starter}`);
      assert.equal(pkg.type, 'module');
      assert.ok(lstatSync(join(dir, 'node_modules', '@paddock', 'runtime')).isSymbolicLink());
    }
    assert.ok(existsSync(join(home.dir, 'my-blog', 'blog', 'models.ts')));
  });

  test('init refuses a non-empty folder and an unknown starter (exit 2)', async () => {
    mkdirSync(join(home.dir, 'full'));
    writeFileSync(join(home.dir, 'full', 'x.txt'), 'x');
    const r = await home.run(['init', 'full']);
    assert.equal(r.code, ExitCode.usage);
    assert.match(r.stderr, /not empty.*\n.*--force/);
    const s = await home.run(['init', 'other', '--starter', 'shop']);
    assert.equal(s.code, ExitCode.usage);
    assert.match(s.stderr, /No starter "shop"[\s\S]*blank, blog/);
  });

  test('check runs the runtime\'s checks in the site found from a subfolder', async () => {
    const sub = join(home.dir, 'my-blank', 'templates');
    const r = await home.run(['check'], { cwd: sub });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no issues/);
    const outside = await home.run(['check'], { cwd: home.dir });
    assert.equal(outside.code, ExitCode.usage);
    assert.match(outside.stderr, /paddock init/);
  });

  test('makemigrations and migrate work on the blog\'s local embedded database', async () => {
    const dir = join(home.dir, 'my-blog');
    const models = join(dir, 'blog', 'models.ts');
    writeFileSync(models, readFileSync(models, 'utf8').replace("body: fields.text(),", "body: fields.text(),\n  subtitle: fields.char({ maxLength: 80, default: '' }),"));
    const made = await home.run(['makemigrations'], { cwd: dir });
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /0002_/);
    const applied = await home.run(['migrate'], { cwd: dir });
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /Applying blog\.0001_initial[\s\S]*Applying blog\.0002_/);
    assert.ok(existsSync(join(dir, '.paddock', 'db')), 'the embedded database lives in .paddock/db');
  });

  test('dev serves the site and reloads it when a template changes; Ctrl-C stops it', async () => {
    const dir = join(home.dir, 'my-blank');
    const port = await freePort();
    const child = spawn(process.execPath, [bin, 'dev', '--port', String(port)], { cwd: dir, env: home.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const fetchUntil = async (pred: (body: string) => boolean): Promise<string> => {
      const deadline = Date.now() + 60_000; // a busy machine: dev loads the site before its server starts
      for (;;) {
        try {
          const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
          if (pred(body)) return body;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`dev did not serve in time; output:\n${output}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    };
    try {
      await fetchUntil(() => true);
      appendFileSync(join(dir, 'templates', 'home.html'), '\n<p>reloaded-marker</p>\n');
      await fetchUntil((b) => b.includes('reloaded-marker'));
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0);
    assert.match(output, /Serving \. at http:\/\/localhost:\d+\//);
  });
});
