// Point-in-time restore against a tenant server of the test's own (a scratch Postgres that archives
// its WAL with the real pgBackRest into a repository in a temporary folder): rows written, the
// moment noted, rows deleted; the site goes back to that moment, another site of the same server
// keeps what it wrote since. Moments outside the window are refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import type { Worker } from 'bullmq';
import { startScratchPostgres, type ScratchPostgres } from '../support/scratch-postgres.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { call, signup, siteName, waitForStatus, type User } from '../support/api.js';
import { startBackupWorker } from '../../src/jobs/backups.js';
import { openResource } from '../../src/provisioners/index.js';

const asRoot = userInfo().uid === 0;
const osUser = asRoot ? 'postgres' : userInfo().username;
let repoDir: string;
let server: ScratchPostgres;
let t: TestPlatform;
let worker: Worker;
let owner: User;
const stanza = 'pitr';

function pgbackrest(...args: string[]): string {
  const argv = ['pgbackrest', `--config=${join(repoDir, 'pgbackrest.conf')}`, `--stanza=${stanza}`, ...args];
  return execFileSync(asRoot ? 'runuser' : argv[0]!, asRoot ? ['-u', osUser, '--', ...argv] : argv.slice(1), { cwd: '/', encoding: 'utf8' });
}

async function sql(site: string, text: string): Promise<pg.QueryResult> {
  const s = await t.platform.db.selectFrom('sites').select('id').where('name', '=', site).executeTakeFirstOrThrow();
  const r = openResource(t.platform.secrets, await t.platform.db.selectFrom('site_resources').selectAll().where('site_id', '=', s.id).where('kind', '=', 'postgres').executeTakeFirstOrThrow());
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: r.username, password: r.password, database: r.database ?? r.username });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

before(async () => {
  repoDir = mkdtempSync(join(tmpdir(), 'pdk-pgbackrest-'));
  if (asRoot) chownSync(repoDir, Number(execFileSync('id', ['-u', osUser]).toString()), Number(execFileSync('id', ['-g', osUser]).toString()));
  server = await startScratchPostgres({
    hba: ['local all all trust'],
    conf: ['wal_level = replica', 'archive_mode = on', 'archive_timeout = 60',
      `archive_command = 'pgbackrest --config=${join(repoDir, 'pgbackrest.conf')} --stanza=${stanza} archive-push %p'`],
  });
  writeFileSync(join(repoDir, 'pgbackrest.conf'), [
    '[global]', `repo1-path=${join(repoDir, 'repo')}`, 'repo1-cipher-type=aes-256-cbc', 'repo1-cipher-pass=test-only-passphrase',
    'repo1-retention-full=2', `lock-path=${join(repoDir, 'lock')}`, `log-path=${join(repoDir, 'log')}`, `spool-path=${join(repoDir, 'spool')}`,
    'log-level-console=warn', 'log-level-file=off', 'start-fast=y', 'compress-type=zst', '',
    `[${stanza}]`, `pg1-path=${server.dataDir}`, `pg1-port=${server.port}`, `pg1-socket-path=${dirname(server.dataDir)}`, 'pg1-user=paddock', '',
  ].join('\n'));
  if (asRoot) chownSync(join(repoDir, 'pgbackrest.conf'), Number(execFileSync('id', ['-u', osUser]).toString()), Number(execFileSync('id', ['-g', osUser]).toString()));
  pgbackrest('stanza-create');
  const admin = new URL(server.url);
  admin.pathname = '/postgres';
  t = await startTestPlatform({
    worker: true,
    env: {
      PADDOCK_PG_ADMIN_URL: admin.toString(), PADDOCK_PG_SPARE_DATABASES: '0',
      PADDOCK_PGBACKREST_CONFIG: join(repoDir, 'pgbackrest.conf'), PADDOCK_PGBACKREST_STANZAS: `127.0.0.1:${server.port}=${stanza}`, PADDOCK_PGBACKREST_USER: osUser,
    },
  });
  worker = startBackupWorker(t.platform);
  owner = await signup(t.app, 'pitr');
});

after(async () => {
  await worker?.close();
  await t?.close();
  await server?.destroy();
  if (repoDir) rmSync(repoDir, { recursive: true, force: true });
});

test('a site goes back to a moment: rows deleted after it are back, another site on the server keeps its own later writes', async () => {
  const site = siteName('pitr');
  const other = siteName('pitro');
  for (const s of [site, other]) {
    assert.equal((await call(t.app, owner.token, 'POST', '/v1/sites', { name: s })).status, 202);
    await waitForStatus(t.app, owner.token, s, 'ready', 60_000);
    await sql(s, 'create table notes (id serial primary key, note text not null)');
  }
  const unavailableYet = await call(t.app, owner.token, 'GET', `/v1/sites/${site}/recovery-window`);
  assert.equal(unavailableYet.body.available, true);
  assert.equal(unavailableYet.body.from, unavailableYet.body.to, 'no base backup yet: an empty window');
  pgbackrest('--type=full', 'backup');
  // The window opens just after the backup's stop (in whole seconds): write once the server's clock is past it.
  const opens = new Date((await call(t.app, owner.token, 'GET', `/v1/sites/${site}/recovery-window`)).body.from);
  while (new Date(((await sql(site, 'select clock_timestamp() as t')).rows[0] as { t: Date }).t) <= opens) await new Promise((res) => setTimeout(res, 50));
  await sql(site, "insert into notes (note) values ('kept'), ('deleted later')");
  const moment = new Date(((await sql(site, 'select now() as t')).rows[0] as { t: Date }).t);
  await sql(site, "delete from notes where note = 'deleted later'");
  await sql(other, "insert into notes (note) values ('written after the moment')");

  const window = (await call(t.app, owner.token, 'GET', `/v1/sites/${site}/recovery-window`)).body;
  assert.ok(new Date(window.from) < moment && moment <= new Date(window.to), JSON.stringify(window));
  const t0 = performance.now();
  const started = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/restore`, { time: moment.toISOString() });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  let r = started;
  const end = Date.now() + 240_000;
  while (!['succeeded', 'failed'].includes(r.body.status) && Date.now() < end) {
    await new Promise((res) => setTimeout(res, 200));
    r = await call(t.app, owner.token, 'GET', `/v1/sites/${site}/restores/${started.body.id}`);
  }
  assert.equal(r.body.status, 'succeeded', r.body.error);
  console.log(`# point-in-time restore of a small site database (pgBackRest restore --db-include, recovery, dump, restore): ${(performance.now() - t0).toFixed(0)} ms`);
  assert.deepEqual((await sql(site, 'select note from notes order by id')).rows.map((x) => x.note), ['kept', 'deleted later']);
  assert.deepEqual((await sql(other, 'select note from notes order by id')).rows.map((x) => x.note), ['written after the moment']);
});

test('a moment outside the window, or without a time or a backup, is refused with a code; nothing changes', async () => {
  const site = siteName('pitrw');
  assert.equal((await call(t.app, owner.token, 'POST', '/v1/sites', { name: site })).status, 202);
  await waitForStatus(t.app, owner.token, site, 'ready', 60_000);
  for (const time of [new Date(Date.now() - 3 * 86_400_000), new Date(Date.now() + 3_600_000)]) {
    const r = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/restore`, { time: time.toISOString() });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'PDK_RESTORE_TIME_OUTSIDE_WINDOW');
  }
  const neither = await call(t.app, owner.token, 'POST', `/v1/sites/${site}/restore`, {});
  assert.equal(neither.status, 400);
  assert.equal(neither.body.error.code, 'PDK_VALIDATION');
  const restores = await t.platform.db.selectFrom('site_restores' as never).selectAll().execute();
  assert.equal(restores.length, 1, 'only the first test\'s restore was recorded');
});
