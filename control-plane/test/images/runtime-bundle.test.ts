import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleRuntime } from '../../src/images/runtime-bundle.js';
import { runtimePackageDir } from '../../src/images/runtime-image.js';

const work = mkdtempSync(join(tmpdir(), 'pdk-runtime-bundle-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('the bundled runtime keeps one instance of every module, finds its data files, and does not load undici to boot', async () => {
  const dist = join(runtimePackageDir(), 'dist');
  assert.ok(existsSync(dist), 'the runtime is built (npm run build -w runtime)');
  const out = join(work, 'dist');
  await bundleRuntime(dist, out, out);
  assert.ok(readdirSync(join(out, 'chunks')).length > 0, 'shared code lives in chunks');
  // Only the public entry points (and the migrations, loaded by path) are files of their own.
  assert.ok(existsSync(join(out, 'host', 'index.js')) && existsSync(join(out, 'contrib', 'admin', 'index.js')));
  assert.ok(!existsSync(join(out, 'site', 'site.js')) && !existsSync(join(out, 'db', 'queryset.js')), 'internal modules live in chunks only');
  assert.ok(existsSync(join(out, 'contrib', 'admin', 'static', 'admin', 'js', 'admin.js')), 'a script an app serves to browsers is copied as it is');
  assert.ok(existsSync(join(out, 'contrib', 'admin', 'templates', 'admin', 'edit_inline', 'tabular.html')), 'templates are copied');

  // Run in a child: a fresh module graph, and the Response global watched from the start.
  const script = `
    let touched = null;
    const d = Object.getOwnPropertyDescriptor(globalThis, 'Response');
    Object.defineProperty(globalThis, 'Response', { configurable: true, get() { touched ??= new Error().stack; return d.get ? d.get.call(globalThis) : d.value; } });
    const u = (p) => ${JSON.stringify(pathToFileURL(out).href)} + '/' + p;
    const index = await import(u('index.js'));
    const forms = await import(u('forms/index.js'));
    const auth = await import(u('contrib/auth/index.js'));
    const host = await import(u('host/index.js'));
    // The host loads the ORM on demand: configuring databases through it configures the index's ORM.
    await host.openDatabases({ DATABASES: { default: { url: 'postgres://127.0.0.1:1/nothing' } } }, '.');
    const orm = index.databaseAliases().includes('default');
    await host.closeDatabases();
    console.log(JSON.stringify({
      sameSite: index.ValidationError === forms.ValidationError,
      orm,
      authDir: auth.authApp.dir,
      undici: touched,
    }));`;
  const r = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: work, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } }).trim().split('\n').pop()!) as { sameSite: boolean; orm: boolean; authDir: string; undici: string | null };
  assert.equal(r.sameSite, true, 'a class reached through two entry points is one class');
  assert.equal(r.orm, true, 'the host loads the ORM on demand, and it is the one the index exports');
  assert.equal(r.authDir.replace(/\/$/, ''), join(out, 'contrib', 'auth'), 'an app folder is where its files were copied, not the chunk folder');
  assert.ok(existsSync(join(r.authDir, 'migrations')), 'the auth app\'s migrations are beside it');
  assert.equal(r.undici, null, 'nothing touched the Response global (it loads undici) while the runtime loaded');
});
