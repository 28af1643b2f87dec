// Per-site backups and restores against the real tenant Postgres, pg_dump and pg_restore, on one
// deployed site (process driver) whose page lists the rows of its `notes` table.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Worker } from 'bullmq';
import { deployedSiteFixture, fetchVia, holdingDeploys, type DeployedSiteFixture } from '../deploy/support.js';
import { call, signup, siteName, waitForStatus, type Answer } from '../support/api.js';
import { startBackupWorker } from '../../src/jobs/backups.js';
import { expireBackups, scheduleDailyBackups } from '../../src/backups/backups.js';
import { dropReplacedDatabases } from '../../src/backups/restores.js';
import { createProvisioners } from '../../src/provisioners/index.js';
import { tenantAdminUrl } from '../support/platform.js';
import { backupDb } from '../../src/backups/tables.js';
import { openResource, type TenantResource } from '../../src/provisioners/index.js';
import { runDeploy } from '../../src/releases/deploys.js';

let f: DeployedSiteFixture;
let worker: Worker;

async function siteDb(): Promise<TenantResource> {
  const site = await f.platform.db.selectFrom('sites').select('id').where('name', '=', f.site).executeTakeFirstOrThrow();
  const row = await f.platform.db.selectFrom('site_resources').selectAll().where('site_id', '=', site.id).where('kind', '=', 'postgres').executeTakeFirstOrThrow();
  return openResource(f.platform.secrets, row);
}

/** SQL as the site itself (its own role, on its current database). */
async function asSite(text: string): Promise<pg.QueryResult> {
  const r = await siteDb();
  const [host, port] = r.server.split(':');
  const client = new pg.Client({ host, port: Number(port), user: r.username, password: r.password, database: r.database ?? r.username });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** Whether the tenant server has this database (asked as its admin: tenants may not list them). */
async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: tenantAdminUrl() });
  await client.connect();
  try {
    return (await client.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

const api = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, token = f.token): Promise<Answer> =>
  call(f.app, token, method, `/v1/sites/${f.site}${path}`, body);

/** Waits until GET `path` answers a body whose status is one of `statuses`. */
async function until(path: string, statuses: string[], timeoutMs = 120_000): Promise<Answer> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const a = await api('GET', path);
    if (statuses.includes(a.body?.status)) return a;
    if (Date.now() > end) throw new Error(`${path} did not become ${statuses.join('/')}: ${JSON.stringify(a.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function backUp(): Promise<{ id: string; ms: number }> {
  const t0 = performance.now();
  const made = await api('POST', '/backups');
  assert.equal(made.status, 202, JSON.stringify(made.body));
  const done = await until(`/backups/${made.body.id}`, ['complete', 'failed']);
  assert.equal(done.body.status, 'complete', done.body.error);
  return { id: made.body.id, ms: performance.now() - t0 };
}

async function restoreFrom(backup: string): Promise<Answer & { ms: number }> {
  const t0 = performance.now();
  const r = await api('POST', '/restore', { backup });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const done = await until(`/restores/${r.body.id}`, ['succeeded', 'failed'], 180_000);
  return { ...done, ms: performance.now() - t0 };
}

const page = async () => (await fetchVia(f.edgePort, f.host)).body;

before(async () => {
  f = await deployedSiteFixture('bk', { driver: 'process' });
  worker = startBackupWorker(f.platform);
  await asSite("create table notes (id serial primary key, note text not null); insert into notes (note) values ('first'), ('second')");
  const r = await f.push(join(import.meta.dirname, 'fixtures/notes'));
  assert.equal(r.status, 'succeeded', r.log.join('\n'));
});

after(async () => {
  // The databases restores replaced (kept a day) go now, with the site's own at its teardown.
  if (f) {
    const provisioners = createProvisioners(f.platform.config);
    await dropReplacedDatabases(f.platform, provisioners, { now: new Date(Date.now() + 2 * 86_400_000) }).finally(() => provisioners.close());
  }
  await worker?.close();
  await f?.close();
});

test('a backup is listed only once complete and verified; it is stored encrypted and downloads as a pg_dump archive (audited)', async () => {
  const made = await api('POST', '/backups');
  assert.equal(made.status, 202);
  assert.equal(made.body.status, 'running');
  const again = await api('POST', '/backups');
  assert.equal(again.body.id, made.body.id, 'a second request while one runs answers the running one');
  const listed = (await api('GET', '/backups')).body;
  assert.ok(!listed.backups.some((b: { id: string }) => b.id === made.body.id) || listed.backups.find((b: { id: string }) => b.id === made.body.id).status === 'complete');
  const done = await until(`/backups/${made.body.id}`, ['complete', 'failed']);
  assert.equal(done.body.status, 'complete', done.body.error);
  assert.deepEqual(done.body.tables, ['public.notes']);
  const list = (await api('GET', '/backups')).body;
  assert.equal(list.retentionDays, 1, 'the free plan keeps a day');
  assert.ok(list.backups.some((b: { id: string }) => b.id === made.body.id));

  const row = await backupDb(f.platform.db).selectFrom('site_backups').selectAll().where('id', '=', made.body.id).executeTakeFirstOrThrow();
  const stored = readFileSync(join(f.deps.settings.artifactsDir, row.artifact_key!));
  assert.equal(stored.indexOf('PGDMP'), -1, 'not a plain dump at rest');
  assert.equal(stored.indexOf('second'), -1, 'no row in the clear at rest');

  const dl = await f.app.inject({ method: 'GET', url: `/v1/sites/${f.site}/backups/${made.body.id}/download`, headers: { authorization: `Bearer ${f.token}` } });
  assert.equal(dl.statusCode, 200);
  assert.match(String(dl.headers['content-disposition']), new RegExp(`^attachment; filename="${f.site}-\\d{8}T\\d{6}Z\\.dump"$`));
  assert.equal(dl.rawPayload.subarray(0, 5).toString(), 'PGDMP');
  const sql = await new Promise<string>((resolve, reject) => {
    const child = spawn('pg_restore', ['--data-only', '--file=-'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`pg_restore exited ${code}`))));
    child.stdin.end(dl.rawPayload);
  });
  assert.match(sql, /first\n2\tsecond/);
  const audited = await f.platform.db.selectFrom('audit_events').select('action').where('action', '=', 'site.backup.downloaded').execute();
  assert.equal(audited.length, 1);
});

test("another tenant's backup id gets a 404 with a code, on their site and on the owner's; a viewer-less stranger cannot list or download", async () => {
  const { id } = await backUp();
  const stranger = await signup(f.app, 'bk-stranger');
  const theirs = siteName('bkx');
  assert.equal((await call(f.app, stranger.token, 'POST', '/v1/sites', { name: theirs })).status, 202);
  await waitForStatus(f.app, stranger.token, theirs, 'ready', 60_000);
  for (const [method, path, body] of [['GET', `/backups/${id}/download`], ['GET', `/backups/${id}`], ['DELETE', `/backups/${id}`], ['POST', '/restore', { backup: id }]] as const) {
    const a = await call(f.app, stranger.token, method, `/v1/sites/${theirs}${path}`, body);
    assert.equal(a.status, 404, `${method} ${path} on their own site`);
    assert.equal(a.body.error.code, 'PDK_BACKUP_NOT_FOUND');
    const b = await api(method, path, body, stranger.token);
    assert.equal(b.status, 404, `${method} ${path} on the owner's site`);
    assert.equal(b.body.error.code, 'PDK_SITE_NOT_FOUND');
  }
  assert.equal((await api('GET', `/backups/${id}`)).body.status, 'complete', 'nothing changed');
});

test('restore: a dropped table is back, the site serves its rows again, and the replaced database is kept', async () => {
  assert.equal(await page(), 'notes: first, second');
  const { id, ms: backupMs } = await backUp();
  const before = await siteDb();
  await asSite('drop table notes');
  assert.notEqual(await page(), 'notes: first, second', 'the site lost its table');
  const done = await restoreFrom(id);
  assert.equal(done.body.status, 'succeeded', done.body.error);
  assert.ok(done.body.deployId, 'switched by a release');
  assert.ok(done.body.previousKeptUntil);
  assert.equal(await page(), 'notes: first, second');
  const now = await siteDb();
  assert.notEqual(now.database, before.database, 'the site runs on the restored database');
  assert.deepEqual((await asSite('select note from notes order by id')).rows.map((r) => r.note), ['first', 'second']);
  assert.notEqual(now.username, before.username, 'with a role of its own, named like it');
  assert.equal(now.username, now.database);
  assert.ok(await databaseExists(before.database!), 'the replaced database is kept for the undo window');
  const release = await call(f.app, f.token, 'GET', `/v1/sites/${f.site}/releases`);
  assert.equal(release.body.releases[0].kind, 'restore');
  console.log(`# backup of the site database: ${backupMs.toFixed(0)} ms; restore (database and release): ${done.ms.toFixed(0)} ms`);
});

test('a restore while a deploy is queued gets 409 PDK_DEPLOY_IN_PROGRESS and changes nothing', async () => {
  const { id } = await backUp();
  const before = await siteDb();
  await holdingDeploys(f, async (held) => {
    const changed = await call(f.app, f.token, 'PATCH', `/v1/sites/${f.site}/env`, { vars: { RESTORE_TEST: String(Date.now()) } });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(held.length, 1);
    const r = await api('POST', '/restore', { backup: id });
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, 'PDK_DEPLOY_IN_PROGRESS');
    await runDeploy(f.deps, held[0]!);
  });
  assert.equal((await siteDb()).database, before.database);
  const restores = await backupDb(f.platform.db).selectFrom('site_restores').select('id').where('status', '<>', 'succeeded').execute();
  assert.equal(restores.length, 0);
});

test('a restore from a tampered backup fails, drops what it made, and the site keeps its database and serves', async () => {
  const { id } = await backUp();
  const row = await backupDb(f.platform.db).selectFrom('site_backups').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const path = join(f.deps.settings.artifactsDir, row.artifact_key!);
  const bytes = readFileSync(path);
  bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0xff;
  (await import('node:fs')).writeFileSync(path, bytes);
  const before = await siteDb();
  const done = await restoreFrom(id);
  assert.equal(done.body.status, 'failed');
  assert.match(done.body.error, /does not authenticate/);
  assert.equal((await siteDb()).database, before.database);
  assert.equal(await page(), 'notes: first, second');
  const site = await f.platform.db.selectFrom('sites').select('id').where('name', '=', f.site).executeTakeFirstOrThrow();
  const failedDb = `s_${site.id.replace(/-/g, '')}_r${done.body.id.replace(/-/g, '').slice(0, 12)}`;
  assert.equal(await databaseExists(failedDb), false, "the failed restore's database is gone");
});

test('retention: past the plan window backups go, except the newest; the daily round backs up each site once', async () => {
  const site = await f.platform.db.selectFrom('sites').select('id').where('name', '=', f.site).executeTakeFirstOrThrow();
  const db = backupDb(f.platform.db);
  const complete = await db.selectFrom('site_backups').select(['id', 'artifact_key']).where('site_id', '=', site.id).where('status', '=', 'complete').orderBy('completed_at', 'desc').execute();
  assert.ok(complete.length >= 3);
  const expired = await expireBackups(f.platform, f.deps.artifacts, new Date(Date.now() + 2 * 86_400_000));
  assert.ok(expired >= complete.length - 1);
  const left = await db.selectFrom('site_backups').select('id').where('site_id', '=', site.id).execute();
  assert.deepEqual(left.map((r) => r.id), [complete[0]!.id], 'the newest stays');
  assert.throws(() => readFileSync(join(f.deps.settings.artifactsDir, complete[1]!.artifact_key!)), /ENOENT/, 'its file went too');

  // Only sites without a backup in the last 20 hours: the fixture's site has one.
  const before = await db.selectFrom('site_backups').select('id').execute();
  const queued = await scheduleDailyBackups(f.platform);
  const afterRows = await db.selectFrom('site_backups').select(['id', 'site_id', 'trigger']).execute();
  assert.equal(afterRows.length - before.length, queued);
  assert.ok(!afterRows.some((r) => r.site_id === site.id && r.trigger === 'scheduled'));
  assert.equal(await scheduleDailyBackups(f.platform), 0, 'a second round queues nothing');
});

/** Starts the backup worker in a process of its own (fixtures/backup-worker.ts). */
async function workerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=paddock-source', join(import.meta.dirname, 'fixtures/backup-worker.ts')], {
    env: {
      ...process.env, PADDOCK_DATABASE_URL: f.platform.config.databaseUrl, TEST_QUEUE_PREFIX: f.platform.queues.prefix,
      PADDOCK_DRIVER: 'process', PADDOCK_ARTIFACTS_DIR: f.deps.settings.artifactsDir, PADDOCK_BUILD_DIR: f.deps.settings.buildDir, PADDOCK_LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => { if (c.toString().includes('ready')) resolve(); });
    child.on('exit', (code) => reject(new Error(`the backup worker exited (${code}) before it was ready`)));
  });
  return child;
}

/** Polls `seen` until it holds, then SIGKILLs the child; resolves once it is dead. */
async function killWhen(child: ChildProcess, what: string, seen: () => Promise<boolean> | boolean): Promise<void> {
  const end = Date.now() + 120_000;
  while (!(await seen())) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`never saw ${what} (the worker ${child.exitCode === null ? 'is still running' : 'exited'})`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const dead = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await dead;
}

test('kill -9 of the worker mid-backup and mid-restore: nothing partial is listed, the site keeps its database until the switch, the next worker completes both', async () => {
  await worker.close();
  const site = await f.platform.db.selectFrom('sites').select('id').where('name', '=', f.site).executeTakeFirstOrThrow();
  await asSite("create table bulk as select g as id, md5(g::text) || md5((g * 7)::text) as v from generate_series(1, 600000) g");
  const size = Number((await asSite('select pg_database_size(current_database()) as b')).rows[0].b);

  // A backup: killed while pg_dump streams into the artifact store.
  let child = await workerProcess();
  const made = await api('POST', '/backups');
  assert.equal(made.status, 202);
  const dir = join(f.deps.settings.artifactsDir, 'backups', site.id);
  await killWhen(child, 'the backup being written', () => existsSync(dir) && readdirSync(dir).some((n) => n.startsWith(`${made.body.id}.`) && n.endsWith('.part')));
  assert.equal((await api('GET', `/backups/${made.body.id}`)).body.status, 'running');
  assert.ok(!(await api('GET', '/backups')).body.backups.some((b: { id: string }) => b.id === made.body.id), 'a partial backup is not listed');
  worker = startBackupWorker(f.platform, { lockDuration: 1000, stalledInterval: 500 });
  const t0 = performance.now();
  const done = await until(`/backups/${made.body.id}`, ['complete', 'failed']);
  assert.equal(done.body.status, 'complete', done.body.error);
  const backupMs = performance.now() - t0;
  assert.deepEqual([...done.body.tables].sort(), ['public.bulk', 'public.notes']);
  await worker.close();

  // A restore: killed while pg_restore loads the fresh database.
  await asSite("insert into notes (note) values ('third')");
  const before = await siteDb();
  child = await workerProcess();
  const started = await api('POST', '/restore', { backup: made.body.id });
  assert.equal(started.status, 202);
  const fresh = `s_${site.id.replace(/-/g, '')}_r${started.body.id.replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: tenantAdminUrl() });
  await admin.connect();
  try {
    await killWhen(child, 'pg_restore loading the fresh database', async () =>
      ((await admin.query("select 1 from pg_stat_activity where datname = $1 and application_name = 'paddock-backup'", [fresh])).rowCount ?? 0) > 0);
  } finally {
    await admin.end();
  }
  assert.equal(await page(), 'notes: first, second, third', 'the site serves its own database meanwhile');
  assert.equal((await siteDb()).database, before.database);
  worker = startBackupWorker(f.platform, { lockDuration: 1000, stalledInterval: 500 });
  const t1 = performance.now();
  const restored = await until(`/restores/${started.body.id}`, ['succeeded', 'failed'], 240_000);
  assert.equal(restored.body.status, 'succeeded', restored.body.error);
  const restoreMs = performance.now() - t1;
  assert.equal(await page(), 'notes: first, second', 'the restored rows, without the one written after the backup');
  assert.equal(Number((await asSite('select count(*) as n from bulk')).rows[0].n), 600000);
  console.log(`# ${(size / 1048576).toFixed(0)} MB site database: backup ${backupMs.toFixed(0)} ms, restore (database and release) ${restoreMs.toFixed(0)} ms, after a killed worker's job was taken over`);
});
