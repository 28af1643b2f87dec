import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Worker } from 'bullmq';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import { call, signup, siteName, waitForStatus, type User } from './support/api.js';
import { deployRuntimeOf } from '../src/platform/deploy-runtime.js';
import { removeReleaseImages } from '../src/images/release-image.js';
import { startDeployWorker } from '../src/jobs/deploy.js';
import { MAX_RUNNING_ONE_OFFS } from '../src/runs/one-off.js';
import { packSite, push } from './deploy/support.js';

const hello = join(import.meta.dirname, 'deploy/fixtures/hello');

/** One pushed site shared by every test: one-off runs, connection details, the site's fields. */
describe('site operations: one-off runs, database details, deploy state in site answers', () => {
  let t: TestPlatform;
  let deployWorker: Worker;
  let owner: User, viewer: User, stranger: User;
  const site = siteName('ops');
  const empty = siteName('ops-empty');

  before(async () => {
    t = await startTestPlatform({ worker: true });
    deployWorker = startDeployWorker(t.platform);
    [owner, viewer, stranger] = await Promise.all(['owner', 'viewer', 'stranger'].map((n) => signup(t.app, n))) as [User, User, User];
    const org = await t.platform.db.selectFrom('organisations').select('id').where('name', '=', owner.org).executeTakeFirstOrThrow();
    await t.platform.db.insertInto('memberships').values({ org_id: org.id, account_id: viewer.accountId, role: 'viewer' }).execute();
    for (const name of [site, empty]) assert.equal((await call(t.app, owner.token, 'POST', '/v1/sites', { name })).status, 202);
    await waitForStatus(t.app, owner.token, site, 'ready', 60_000);
    await waitForStatus(t.app, owner.token, empty, 'ready', 60_000);
    const pushed = await push(t.app, owner.token, site, await packSite(hello));
    assert.equal(pushed.status, 'succeeded', pushed.log.join('\n'));
  });

  after(async () => {
    const deps = deployRuntimeOf(t.platform);
    await deployWorker?.close();
    await deps.driver.removeSite(site);
    await deps.driver.removeSite(empty);
    if (deps.docker) await removeReleaseImages(deps.docker, site);
    await t.close();
  });

  async function oneOffContainers(): Promise<number> {
    const docker = deployRuntimeOf(t.platform).docker!;
    return (await docker.listContainers({ all: true, filters: { label: ['paddock.role=oneoff', `paddock.site=${site}`] } })).length;
  }

  test('site answers carry the live release, when it went live and whether it is awake', async () => {
    const one = await call(t.app, owner.token, 'GET', `/v1/sites/${site}`);
    assert.equal(one.body.release, 1);
    assert.equal(one.body.runState, 'serving');
    assert.ok(Date.now() - Date.parse(one.body.lastDeployAt) < 120_000, one.body.lastDeployAt);
    const list = await call(t.app, viewer.token, 'GET', '/v1/sites');
    type Item = { name: string; release: unknown; lastDeployAt: unknown; runState: unknown };
    const byName = new Map((list.body.sites as Item[]).map((s) => [s.name, s]));
    assert.deepEqual(byName.get(site), one.body);
    const { release, lastDeployAt, runState } = byName.get(empty)!;
    assert.deepEqual({ release, lastDeployAt, runState }, { release: null, lastDeployAt: null, runState: 'none' });
    // Sleep states come from the route table.
    await t.platform.db.updateTable('site_routes').set({ state: 'paused' }).where('site_id', '=', one.body.id).execute();
    assert.equal((await call(t.app, owner.token, 'GET', `/v1/sites/${site}`)).body.runState, 'paused');
    await t.platform.db.updateTable('site_routes').set({ state: 'serving' }).where('site_id', '=', one.body.id).execute();
    assert.equal((await call(t.app, stranger.token, 'GET', '/v1/sites')).body.sites.length, 0);
  });

  test('database details are masked by default; revealing needs the deploy role, is audited, and the URLs connect', async () => {
    const masked = await call(t.app, viewer.token, 'GET', `/v1/sites/${site}/database`);
    assert.equal(masked.status, 200, JSON.stringify(masked.body));
    const { database, cache } = masked.body;
    assert.match(database.url, new RegExp(`^postgres://${database.user}:\\*\\*\\*\\*@${database.host}:${database.port}/${database.name}$`));
    assert.match(cache.url, /^redis:\/\/s_[0-9a-f]+:\*\*\*\*@/);
    assert.ok(database.sizeBytes > 0);
    assert.equal(database.quotaBytes, 256 * 1024 * 1024, 'the free plan\'s quota');
    assert.equal(database.connectionLimit, t.config.tenantConnectionLimit);
    assert.ok(cache.prefix.length > 0);

    const refused = await call(t.app, viewer.token, 'GET', `/v1/sites/${site}/database?reveal=true`);
    assert.equal(refused.status, 403);
    assert.equal((await call(t.app, stranger.token, 'GET', `/v1/sites/${site}/database?reveal=true`)).status, 404);
    assert.equal((await call(t.app, stranger.token, 'GET', `/v1/sites/${site}/database`)).status, 404);
    const auditOf = () => t.platform.db.selectFrom('audit_events').select(['actor_id']).where('action', '=', 'site.credentials.revealed').execute();
    assert.equal((await auditOf()).length, 0, 'masked reads and refused reveals are not reveals');

    const revealed = await call(t.app, owner.token, 'GET', `/v1/sites/${site}/database?reveal=true`);
    assert.equal(revealed.status, 200);
    assert.doesNotMatch(revealed.body.database.url, /\*\*\*\*/);
    assert.deepEqual((await auditOf()).map((a) => a.actor_id), [owner.accountId]);
    const client = new pg.Client({ connectionString: revealed.body.database.url });
    await client.connect();
    try {
      assert.deepEqual((await client.query('select 1 as one')).rows, [{ one: 1 }]);
    } finally {
      await client.end();
    }
    const redis = new Redis(revealed.body.cache.url, { maxRetriesPerRequest: 1, enableReadyCheck: false });
    try {
      await redis.set(`${cache.prefix}probe`, '1');
      assert.equal((await call(t.app, viewer.token, 'GET', `/v1/sites/${site}/database`)).body.cache.usedKeys, 1);
    } finally {
      redis.disconnect();
    }
  });

  test('the OpenAPI document describes run, database and the site fields', async () => {
    const doc = (await t.app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, unknown>>; components?: unknown };
    assert.ok(doc.paths['/v1/sites/{site}/run']?.post);
    assert.ok(doc.paths['/v1/sites/{site}/database']?.get);
    const text = JSON.stringify(doc.paths['/v1/sites/{site}']);
    for (const field of ['release', 'lastDeployAt', 'runState']) assert.match(text, new RegExp(`"${field}"`));
  });

  test('run answers a command\'s output and exit code as JSON, in the live release with its env', async () => {
    const ok = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/run`, { command: ['check'] });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.exitCode, 0, JSON.stringify(ok.body));
    assert.equal(ok.body.timedOut, false);
    assert.match(`${ok.body.stdout}${ok.body.stderr}`, /check/i, 'the check command printed its report');

    // An app that does not exist: paddock-runtime exits non-zero and says why.
    const bad = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/run`, { command: ['check', '--no-such-flag'] });
    assert.equal(bad.status, 200, JSON.stringify(bad.body));
    assert.notEqual(bad.body.exitCode, 0);
    assert.match(bad.body.stderr, /no-such-flag/);
    assert.equal(await oneOffContainers(), 0, 'one-off containers are removed');

    const audit = await t.platform.db.selectFrom('audit_events').select(['action', 'details']).where('action', '=', 'site.run').execute();
    assert.equal(audit.length, 2);
    assert.deepEqual(audit.map((a) => (a.details as { command: string }).command).sort(), ['check', 'check']);
    assert.ok(!JSON.stringify(audit).includes('no-such-flag'), 'arguments (which may hold passwords) are not audited');
  });

  test('run -- shell -c evaluates code in the live release with its database open and exits non-zero on an error', async () => {
    const code = "const [row] = await rawQuery('select current_database() as db'); console.log('db is', row.db); 6 * 7";
    const ok = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/run`, { command: ['shell', '-c', code] });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.exitCode, 0, JSON.stringify(ok.body));
    const db = await call(t.app, owner.token, 'GET', `/v1/sites/${site}/database`);
    assert.match(ok.body.stdout, new RegExp(`^db is ${db.body.database.name}\n42\n`, 'm'));
    const bad = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/run`, { command: ['shell', '-c', 'await Promise.reject(new Error("shell-boom"))'] });
    assert.equal(bad.status, 200, JSON.stringify(bad.body));
    assert.equal(bad.body.exitCode, 1, JSON.stringify(bad.body));
    assert.match(bad.body.stderr, /shell-boom/);
  });

  test('run streams output lines and the exit code as Server-Sent Events', async () => {
    const res = await t.app.inject({
      method: 'POST', url: `/v1/sites/${site}/run`, payload: { command: ['check', '--no-such-flag'] },
      headers: { authorization: `Bearer ${owner.token}`, accept: 'text/event-stream' },
    });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/event-stream/);
    const events = res.body.split('\n\n').map((b) => /^data: (.*)$/m.exec(b)?.[1]).filter((d): d is string => Boolean(d)).map((d) => JSON.parse(d));
    assert.ok(events.some((e) => e.stream === 'stderr' && /no-such-flag/.test(e.line)), res.body);
    const last = events.at(-1);
    assert.equal(typeof last.exitCode, 'number');
    assert.notEqual(last.exitCode, 0);
  });

  test('runs past their time limit are killed, answer 124 and leave no container; of 6 started at once exactly 3 run', async () => {
    const t0 = Date.now();
    // All at once: a limit counted on containers that do not exist yet would let every one in.
    const runs = await Promise.all(Array.from({ length: 2 * MAX_RUNNING_ONE_OFFS }, () => call(t.app, owner.token, 'POST', `/v1/sites/${site}/run`, { command: ['serve'], timeoutSeconds: 3 })));
    const ran = runs.filter((r) => r.status === 200);
    const busy = runs.filter((r) => r.status !== 200);
    assert.equal(ran.length, MAX_RUNNING_ONE_OFFS, JSON.stringify(runs.map((r) => r.status)));
    for (const r of busy) {
      assert.equal(r.status, 409, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'PDK_RUN_BUSY');
    }
    for (const r of ran) {
      assert.equal(r.body.exitCode, 124);
      assert.equal(r.body.timedOut, true);
    }
    assert.ok(Date.now() - t0 < 20_000);
    assert.equal(await oneOffContainers(), 0);
    // The slots were given back: a run goes in again at once.
    const again = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/run`, { command: ['check', '--no-such-flag'] });
    assert.equal(again.status, 200, JSON.stringify(again.body));
  });

  test('a client that disconnects kills its one-off', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as AddressInfo).port;
    assert.ok(address);
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/v1/sites/${site}/run`, {
      method: 'POST', signal: controller.signal,
      headers: { authorization: `Bearer ${owner.token}`, accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ command: ['serve'] }),
    });
    assert.equal(res.status, 200);
    // Wait until the container runs (it logs that it listens), then go away.
    const reader = res.body!.getReader();
    let seen = '';
    while (!/"line"/.test(seen)) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    assert.equal(await oneOffContainers(), 1, seen);
    controller.abort();
    const until = Date.now() + 15_000;
    while ((await oneOffContainers()) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    assert.equal(await oneOffContainers(), 0, 'the one-off went away with its client');
  });

  /** An upgraded run (`Upgrade: paddock-run`) over a real socket: the 101 and its stream, or the refusal's status and body. */
  async function openRun(token: string, command: string[], timeoutSeconds?: number): Promise<{ status: number; socket?: Socket; head?: Buffer; body?: string }> {
    if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as AddressInfo).port;
    const body = JSON.stringify({ command, ...(timeoutSeconds ? { timeoutSeconds } : {}) });
    return new Promise((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1', port, method: 'POST', path: `/v1/sites/${site}/run`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'Upgrade', upgrade: 'paddock-run' },
      });
      req.on('upgrade', (res, socket, head) => resolve({ status: res.statusCode ?? 0, socket, head }));
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => { text += d.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Reads an upgraded run's frames (Docker's 8-byte header): the output so far, and the end frame's JSON. */
  function readFrames(socket: Socket, head: Buffer) {
    let pending = head;
    let output = '';
    const waiters: Array<() => void> = [];
    let end: unknown;
    const ended = new Promise<unknown>((resolve) => {
      const take = (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 8 && pending.length >= 8 + pending.readUInt32BE(4)) {
          const size = pending.readUInt32BE(4);
          const payload = pending.subarray(8, 8 + size).toString();
          if (pending[0] === 1) output += payload; else end = JSON.parse(payload);
          pending = pending.subarray(8 + size);
        }
        for (const w of waiters.splice(0)) w();
      };
      socket.on('data', take);
      socket.on('close', () => { resolve(end); for (const w of waiters.splice(0)) w(); });
      take(Buffer.alloc(0));
    });
    // Without the terminal's colours and cursor moves.
    const plain = () => output.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g'), '');
    const waitFor = async (re: RegExp) => {
      const until = Date.now() + 30_000;
      while (!re.test(plain())) {
        assert.ok(Date.now() < until && !socket.destroyed, `no ${re} in ${JSON.stringify(output)}`);
        await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 500); });
      }
    };
    return { waitFor, ended, output: () => output };
  }

  test('an upgraded run gives shell a terminal: 1+1 answers 2 and .exit ends it with its exit code; the time limit and a client that leaves end it; viewers and other organisations are refused', async () => {
    const refused = await openRun(viewer.token, ['shell']);
    assert.equal(refused.status, 403, refused.body);
    const outsider = await openRun(stranger.token, ['shell']);
    assert.equal(outsider.status, 404, outsider.body);
    assert.match(outsider.body ?? '', /PDK_SITE_NOT_FOUND/);

    const run = await openRun(owner.token, ['shell']);
    assert.equal(run.status, 101, run.body);
    const frames = readFrames(run.socket!, run.head!);
    await frames.waitFor(/Paddock shell/);
    run.socket!.write('1+1\n');
    // The terminal echoes the input; the answer is a line of its own.
    await frames.waitFor(/\n2\r?\n/);
    run.socket!.write('.exit\n');
    assert.deepEqual(await frames.ended, { exitCode: 0, timedOut: false }, frames.output());
    const audit = await t.platform.db.selectFrom('audit_events').select(['details']).where('action', '=', 'site.run').execute();
    assert.ok(audit.some((a) => (a.details as { interactive?: boolean }).interactive === true), 'the interactive run is audited');
    const until = Date.now() + 15_000;
    while ((await oneOffContainers()) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    assert.equal(await oneOffContainers(), 0);

    // The time limit holds for a session too.
    const idle = await openRun(owner.token, ['shell'], 3);
    assert.equal(idle.status, 101, idle.body);
    assert.deepEqual(await readFrames(idle.socket!, idle.head!).ended, { exitCode: 124, timedOut: true });

    // A client that goes away mid-session takes its one-off with it.
    const left = await openRun(owner.token, ['shell']);
    assert.equal(left.status, 101, left.body);
    await readFrames(left.socket!, left.head!).waitFor(/Paddock shell/);
    assert.equal(await oneOffContainers(), 1);
    left.socket!.destroy();
    const gone = Date.now() + 15_000;
    while ((await oneOffContainers()) > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 200));
    assert.equal(await oneOffContainers(), 0, 'the one-off went away with its client');
  });

  test('run needs the deploy role, hides other organisations\' sites, refuses interactive commands and sites without a release', async () => {
    assert.equal((await call(t.app, viewer.token, 'POST', `/v1/sites/${site}/run`, { command: ['check'] })).status, 403);
    const outsider = await call(t.app, stranger.token, 'POST', `/v1/sites/${site}/run`, { command: ['check'] });
    assert.equal(outsider.status, 404);
    assert.equal(outsider.body.error.code, 'PDK_SITE_NOT_FOUND');
    const none = await call(t.app, owner.token, 'POST', `/v1/sites/${empty}/run`, { command: ['check'] });
    assert.equal(none.status, 409);
    assert.equal(none.body.error.code, 'PDK_NO_RELEASE');
    assert.match(none.body.error.message, /paddock push/);
    const shell = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/run`, { command: ['shell'] });
    assert.equal(shell.status, 400);
    assert.match(shell.body.error.message, /stdin[\s\S]*shell -c/);
    assert.equal((await call(t.app, owner.token, 'POST', `/v1/sites/${site}/run`, { command: ['dbshell', '-c', 'x'] })).status, 400);
    for (const env of [{ DATABASE_URL: 'postgres://elsewhere/db' }, { PADDOCK_SITE: 'other' }, { 'NOT A NAME': 'x' }]) {
      assert.equal((await call(t.app, owner.token, 'POST', `/v1/sites/${site}/run`, { command: ['check'], env })).status, 400, JSON.stringify(env));
    }
    for (const command of [[], ['--help'], Array.from({ length: 65 }, () => 'x'), ['check', 'x'.repeat(4097)]]) {
      assert.equal((await call(t.app, owner.token, 'POST', `/v1/sites/${site}/run`, { command })).status, 400, JSON.stringify(command).slice(0, 80));
    }
  });

  test('suspending a site ends its running one-offs at once (the next test runs one again after the resume)', async () => {
    const run = call(t.app, owner.token, 'POST', `/v1/sites/${site}/run`, { command: ['serve'], timeoutSeconds: 60 });
    const until = Date.now() + 15_000;
    while ((await oneOffContainers()) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await oneOffContainers(), 1);
    const t0 = Date.now();
    const suspended = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/suspend`);
    assert.equal(suspended.status, 200, JSON.stringify(suspended.body));
    const r = await run;
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.exitCode, r.body.timedOut], [137, false]);
    assert.ok(Date.now() - t0 < 10_000, 'ended by the suspension, not its time limit');
    assert.equal(await oneOffContainers(), 0);
    // While suspended it takes no change that needs a release, with a code that says why, and
    // nothing is half-done: no vars saved, no size changed, no release or deploy made.
    const before = await Promise.all([
      call(t.app, owner.token, 'GET', `/v1/sites/${site}/env`), call(t.app, owner.token, 'GET', `/v1/sites/${site}/releases`),
      call(t.app, owner.token, 'GET', `/v1/sites/${site}/deploys`), call(t.app, owner.token, 'GET', `/v1/sites/${site}`),
    ]);
    const tarball = await packSite(hello);
    const refused = await Promise.all([
      call(t.app, owner.token, 'PATCH', `/v1/sites/${site}/env`, { vars: { WHILE_SUSPENDED: '1' } }),
      call(t.app, owner.token, 'POST', `/v1/sites/${site}/scale`, { replicas: 2 }),
      call(t.app, owner.token, 'PATCH', `/v1/sites/${site}`, { memoryMb: 256 }),
      call(t.app, owner.token, 'POST', `/v1/sites/${site}/rollback`, { version: 1 }),
      call(t.app, owner.token, 'POST', `/v1/sites/${site}/domains`, { hostname: `www.${site}.example.test` }),
      t.app.inject({ method: 'POST', url: `/v1/sites/${site}/deploys`, payload: tarball, headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/gzip' } })
        .then((r) => ({ status: r.statusCode, body: r.json() })),
    ]);
    for (const r of refused) {
      assert.equal(r.status, 409, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'PDK_SITE_SUSPENDED');
      assert.match(r.body.error.message, new RegExp(`^Site "${site}" is suspended: .*nothing was changed\\. Resume it on its page in the dashboard`));
    }
    const afterwards = await Promise.all([
      call(t.app, owner.token, 'GET', `/v1/sites/${site}/env`), call(t.app, owner.token, 'GET', `/v1/sites/${site}/releases`),
      call(t.app, owner.token, 'GET', `/v1/sites/${site}/deploys`), call(t.app, owner.token, 'GET', `/v1/sites/${site}`),
    ]);
    assert.deepEqual(afterwards[0].body, before[0].body, 'env vars');
    assert.deepEqual(afterwards[1].body, before[1].body, 'releases');
    assert.deepEqual(afterwards[2].body, before[2].body, 'deploys');
    assert.deepEqual([afterwards[3].body.replicas, afterwards[3].body.memoryMb], [before[3].body.replicas, before[3].body.memoryMb]);
    assert.equal((await call(t.app, owner.token, 'GET', `/v1/sites/${site}/domains`)).body.domains.length, 0);
    assert.equal((await call(t.app, owner.token, 'POST', `/v1/sites/${site}/resume`)).status, 200);
    await waitForStatus(t.app, owner.token, site, 'ready', 60_000);
  });

  // Last: it deletes the shared site.
  test('deleting a site during a long run ends the run; the site is deleted and no container of it remains', async () => {
    const docker = deployRuntimeOf(t.platform).docker!;
    const run = call(t.app, owner.token, 'POST', `/v1/sites/${site}/run`, { command: ['serve'], timeoutSeconds: 90 });
    const until = Date.now() + 15_000;
    while ((await oneOffContainers()) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await oneOffContainers(), 1);
    const t0 = Date.now();
    assert.equal((await call(t.app, owner.token, 'DELETE', `/v1/sites/${site}`)).status, 202);
    const r = await run;
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.timedOut, false);
    assert.notEqual(r.body.exitCode, 0);
    for (;;) {
      const row = await t.platform.db.selectFrom('sites').select('status').where('name', '=', site).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
      if (row.status === 'deleted') break;
      assert.ok(Date.now() - t0 < 30_000, `the site is still ${row.status}`);
      await new Promise((res) => setTimeout(res, 200));
    }
    assert.deepEqual(await docker.listContainers({ all: true, filters: { label: [`paddock.site=${site}`] } }), []);
  });
});
