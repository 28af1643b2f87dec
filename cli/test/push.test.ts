// The whole flow through the real binary against a running platform: signup → init blog →
// sites:create → push → the page answers through the edge → env:set → new release → rollback →
// logs show the request → a failing build → uploads cut by the network → sites:delete.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import pg from 'pg';
import { EdgeService } from '@paddock/control-plane/edge/edge-service';
import { deployRuntimeOf } from '@paddock/control-plane/platform/deploy-runtime';
import { removeReleaseImages } from '@paddock/control-plane/images/release-image';
import type { DockerDriver } from '@paddock/control-plane/drivers/docker';
import { ExitCode } from '../src/exit-codes.js';
import { bin, cliHome, runOnTerminal, type CliHome } from './support/cli.js';
import { flakyProxy, type FlakyProxy } from './support/flaky-proxy.js';
import { startPlatform, suffix, type RunningPlatform } from './support/platform.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function fetchVia(port: number, host: string, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false, timeout: 30_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no answer from the edge for ${host}${path}`)));
    req.end();
  });
}

describe('push and run a site with the real CLI, end to end', () => {
  let p: RunningPlatform;
  let home: CliHome;
  let edge: EdgeService;
  let edgePort: number;
  let proxy: FlakyProxy;
  const site = `clipush-${suffix()}`;
  const host = `${site}.localhost`;
  const work = mkdtempSync(join(tmpdir(), 'paddock-cli-push-'));
  const project = join(work, 'myblog');

  before(async () => {
    p = await startPlatform();
    edgePort = await freePort();
    edge = new EdgeService(deployRuntimeOf(p.platform), { dir: join(work, 'edge'), port: edgePort, bind: '127.0.0.1', adminPort: 0 });
    await edge.start();
    proxy = await flakyProxy(p.api);
    home = cliHome({ PADDOCK_API: p.api, PADDOCK_RUNTIME_FROM: 'source' });
  });

  after(async () => {
    // Let the teardown of the deleted site finish: no tenant database or cache user is left behind.
    await p?.waitForTeardown();
    const deps = deployRuntimeOf(p.platform);
    await edge?.stop();
    await deps.driver.removeSite(site).catch(() => undefined);
    await removeReleaseImages((deps.driver as DockerDriver).docker, site).catch(() => undefined);
    await proxy?.close();
    home?.cleanup();
    await p?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('signup, init blog, sites:create, push: progress, build logs, URL, and the page answers through the edge', async () => {
    assert.equal((await home.run(['signup', '--email', `push-${suffix()}@example.com`, '--password', `pw ${suffix()} pw`])).code, 0);
    assert.equal((await home.run(['init', project, '--starter', 'blog'])).code, 0);
    const created = await home.run(['sites:create', site], { cwd: project });
    assert.equal(created.code, 0, created.stderr);

    const t0 = Date.now();
    const r = await home.run(['push'], { cwd: project, timeoutMs: 120_000 });
    const seconds = (Date.now() - t0) / 1000;
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    // Not a terminal: progress as plain lines, up to 100 %.
    assert.match(r.stderr, /Packed \d+ files/);
    assert.match(r.stderr, /Uploading 100% \(/);
    assert.match(r.stderr, /\[build\] /, 'build logs are streamed');
    assert.match(r.stdout, new RegExp(`Released ${site} v1 in`));
    assert.match(r.stdout, new RegExp(`http://${host}:8080`));
    process.stderr.write(`# push of the blog starter (CLI process, end to end): ${seconds.toFixed(1)} s\n`);

    const page = await fetchVia(edgePort, host);
    assert.equal(page.status, 200, page.body);
    assert.match(page.body, /Latest posts/);
  });

  test('env:set makes a new release; releases lists it; rollback re-releases the previous one', async () => {
    const set = await home.run(['env:set', 'SITE_TITLE=From the CLI', 'EXTRA=1'], { cwd: project, timeoutMs: 90_000 });
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /Set SITE_TITLE, EXTRA on .*Released v2/);
    const env = JSON.parse((await home.run(['env', '--json'], { cwd: project })).stdout) as Record<string, string>;
    assert.equal(env.SITE_TITLE, 'From the CLI');

    const releases = JSON.parse((await home.run(['releases', '--json'], { cwd: project })).stdout) as Array<{ version: number; current: boolean }>;
    assert.deepEqual(releases.map((x) => `${x.version}${x.current ? '*' : ''}`), ['2*', '1']);

    // No version: the release before the current one, even though v2 only changed env vars.
    const rb = await home.run(['rollback'], { cwd: project, timeoutMs: 90_000 });
    assert.equal(rb.code, 0, rb.stderr);
    assert.match(rb.stdout, /Rolled back .* to v1 \(now v3\)/);
    assert.equal((await fetchVia(edgePort, host)).status, 200);
    const info = await home.run(['info'], { cwd: project });
    assert.match(info.stdout, /release:\s+v3 /);
  });

  test('a rollback to the live release, an env:unset of a var that is not set and a scale to the count it runs say so and release nothing', async () => {
    const releases = async () => (JSON.parse((await home.run(['releases', '--json'], { cwd: project })).stdout) as unknown[]).length;
    const before = await releases();
    const rb = await home.run(['rollback', 'v3'], { cwd: project });
    assert.equal(rb.code, 0, rb.stderr);
    assert.equal(rb.stdout, `v3 is already live on ${site}; nothing changed.\n`);
    // The rollback brought back v1's vars: EXTRA is not set any more.
    const unset = await home.run(['env:unset', 'EXTRA'], { cwd: project });
    assert.equal(unset.code, 0, unset.stderr);
    assert.equal(unset.stdout, 'EXTRA is not set; nothing changed.\n');
    const scale = await home.run(['scale', '1'], { cwd: project });
    assert.equal(scale.code, 0, scale.stderr);
    assert.equal(scale.stdout, `${site} already runs 1 replica; nothing changed.\n`);
    assert.equal(await releases(), before, 'a release was made');
    assert.match((await home.run(['info'], { cwd: project })).stdout, /release:\s+v3 /);
  });

  test('run -- <command> prints its output and exits with its code; extra env reaches it', async () => {
    const check = await home.run(['run', '--', 'check'], { cwd: project, timeoutMs: 60_000 });
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /System check identified/);
    const failing = await home.run(['run', '--', 'check', '--no-such-flag'], { cwd: project, timeoutMs: 60_000 });
    assert.equal(failing.code, 2, failing.stderr);
    assert.match(failing.stderr, /no-such-flag/);
    // createsuperuser reads its password from the environment: there is no stdin over the API.
    const su = await home.run(['run', '-e', `PADDOCK_SUPERUSER_PASSWORD=pw-${suffix()}-${suffix()}`, '--', 'createsuperuser', '--username', 'cliadmin', '--email', 'cliadmin@example.com'], { cwd: project, timeoutMs: 60_000 });
    assert.equal(su.code, 0, `${su.stdout}\n${su.stderr}`);
    assert.match(su.stdout, /Superuser 'cliadmin' created/);
    // shell: code with -c anywhere; the REPL itself only on a terminal.
    const noTty = await home.run(['run', '--', 'shell'], { cwd: project });
    assert.equal(noTty.code, ExitCode.usage);
    assert.match(noTty.stderr, /needs a terminal[\s\S]*shell -c/);
    const code = await home.run(['run', '--', 'shell', '-c', "(await User.objects.filter({ username: 'cliadmin' }).count()) + 41"], { cwd: project, timeoutMs: 60_000 });
    assert.equal(code.code, 0, code.stderr);
    assert.equal(code.stdout.trim(), '42');
    const thrown = await home.run(['run', '--', 'shell', '-c', 'await Post.objects.get({ slug: "no-such-post" })'], { cwd: project, timeoutMs: 60_000 });
    assert.equal(thrown.code, 1);
    assert.match(thrown.stderr, /No blog\.Post matches/);
    const repl = await runOnTerminal(['run', '--', 'shell'], home.env, [['paddock> ', '(await Post.objects.count()) + 1000'], ['paddock> ', '.exit']], { cwd: project, timeoutMs: 60_000 });
    assert.equal(repl.code, 0, `${repl.stdout}\n${repl.stderr}`);
    assert.match(repl.stdout, /\b100\d\b/);
  });

  test('db:url prints a URL that connects; db:psql runs psql on it; info shows the database masked and that the site is awake', async () => {
    const url = await home.run(['db:url'], { cwd: project });
    assert.equal(url.code, 0, url.stderr);
    const client = new pg.Client({ connectionString: url.stdout.trim() });
    await client.connect();
    try {
      // The superuser made by `paddock run` is in the site's own database.
      assert.equal((await client.query("select count(*)::int as n from auth_user where username = 'cliadmin'")).rows[0].n, 1);
    } finally {
      await client.end();
    }
    const psql = await home.run(['db:psql', '--', '-At', '-c', 'select 40 + 2'], { cwd: project });
    assert.equal(psql.code, 0, psql.stderr);
    assert.equal(psql.stdout.trim(), '42');
    const noPsql = await home.run(['db:psql', '--', '-c', 'select 1'], { cwd: project, env: { PATH: join(work, 'empty-path') } });
    assert.equal(noPsql.code, ExitCode.failure);
    assert.match(noPsql.stderr, /psql is not installed[\s\S]*postgresql-client/);

    const info = await home.run(['info'], { cwd: project });
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /state:\s+awake/);
    assert.match(info.stdout, /database:\s+postgres:\/\/[^:]+:\*\*\*\*@/);
    assert.match(info.stdout, /cache:\s+redis:\/\/[^:]+:\*\*\*\*@/);
    assert.ok(!info.stdout.includes(new URL(url.stdout.trim()).password), 'info never prints the password');
  });

  test('logs show the request that reached the site', async () => {
    const probe = `probe${suffix()}`;
    await fetchVia(edgePort, host, `/?${probe}=1`);
    const deadline = Date.now() + 10_000;
    let out = '';
    while (Date.now() < deadline) {
      out = (await home.run(['logs', '-n', '500'], { cwd: project })).stdout;
      if (out.includes(probe)) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.ok(out.includes(probe), `no log line mentions ${probe}:\n${out.slice(-2000)}`);
    const recent = await home.run(['logs', '--since', '1h', '--json'], { cwd: project });
    const lines = recent.stdout.trim().split('\n').map((l) => JSON.parse(l) as { at: string; source: string; line: string });
    assert.ok(lines.length > 0 && lines.every((l) => Date.parse(l.at) > Date.now() - 3600_000 - 5000));
    const future = await home.run(['logs', '--since', '2099-01-01T00:00:00Z'], { cwd: project });
    assert.equal(future.code, 0, future.stderr);
    assert.equal(future.stdout, '');
  });

  test('logs -f streams new lines until Ctrl-C, then exits 0', async () => {
    const probe = `follow${suffix()}`;
    const child = spawn(process.execPath, [bin, 'logs', '-f', '-n', '1'], { cwd: project, env: home.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 15_000;
      while (!out.includes(probe) && Date.now() < deadline) {
        await fetchVia(edgePort, host, `/?${probe}=1`);
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0);
    assert.ok(out.includes(probe), `the followed logs never showed ${probe}:\n${out.slice(-2000)}`);
  });

  test('a push that fails to build exits 6, says why, and the previous release keeps serving', async () => {
    const broken = join(work, 'broken');
    cpSync(project, broken, { recursive: true, filter: (src) => !src.includes('node_modules') });
    appendFileSync(join(broken, 'blog', 'views.ts'), '\nexport const = ;\n');
    const r = await home.run(['push'], { cwd: broken, timeoutMs: 90_000 });
    assert.equal(r.code, ExitCode.deployFailed, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /failed/);
    assert.match(r.stderr, /previous release keeps serving/);
    assert.equal((await fetchVia(edgePort, host)).status, 200);
  });

  test('an upload cut by the network is retried; cut every time, it ends with exit 5 and nothing deployed', async () => {
    // Incompressible, so the upload is long enough to be cut half-way.
    writeFileSync(join(project, 'templates', 'extra.txt'), randomBytes(150_000).toString('base64'));
    proxy.cutUploads = 1;
    // Through the proxy: another API address, so the site and the token are given explicitly.
    const { credentials } = JSON.parse(readFileSync(home.configFile, 'utf8')) as { credentials: Record<string, { token: string }> };
    const viaProxy = { env: { PADDOCK_TOKEN: credentials[p.api]!.token }, cwd: project };
    const retried = await home.run(['push', '--api', proxy.url, '--site', site, '--json'], { ...viaProxy, timeoutMs: 90_000 });
    assert.equal(retried.code, 0, `${retried.stdout}\n${retried.stderr}`);
    assert.equal(proxy.cut, 1);
    assert.match(retried.stderr, /Upload failed .*retrying \(2\/3\)/);
    // --json: the result alone on stdout, for scripts.
    const summary = JSON.parse(retried.stdout) as { site: string; status: string; release: number; url: string };
    assert.equal(summary.site, site);
    assert.equal(summary.status, 'succeeded');
    const version = summary.release;
    assert.ok(version > 3, retried.stdout);

    proxy.cutUploads = Infinity;
    const failed = await home.run(['push', '--api', proxy.url, '--site', site, '--retries', '2'], { ...viaProxy, timeoutMs: 60_000 });
    assert.equal(failed.code, ExitCode.network, failed.stderr);
    assert.match(failed.stderr, /upload .* failed after 2 attempt/);
    assert.match(failed.stderr, /Nothing was deployed/);
    proxy.cutUploads = 0;
    const releases = JSON.parse((await home.run(['releases', '--json'], { cwd: project })).stdout) as Array<{ version: number }>;
    assert.equal(releases[0]?.version, version, 'the cut uploads made no release');
  });

  test('sites:delete --yes removes it', async () => {
    const r = await home.run(['sites:delete', site, '--yes'], { cwd: project });
    assert.equal(r.code, 0, r.stderr);
  });
});
