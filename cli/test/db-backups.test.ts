// `paddock db:backup`, `db:backups`, `db:download` and `db:restore` against a real control plane
// (workers in-process, the real tenant Postgres, pg_dump and pg_restore).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliHome, type CliHome } from './support/cli.js';
import { startPlatform, suffix, type RunningPlatform } from './support/platform.js';

describe('db:backup, db:backups, db:download, db:restore', () => {
  let p: RunningPlatform;
  let home: CliHome;
  let project: string;
  const site = `clibk-${suffix()}`;

  before(async () => {
    p = await startPlatform();
    home = cliHome({ PADDOCK_API: p.api });
    const r = await home.run(['signup', '--email', `bk-${suffix()}@example.com`, '--password', `pw ${suffix()} pw`]);
    assert.equal(r.code, 0, r.stderr);
    project = join(home.dir, 'project');
    mkdirSync(project);
    const created = await home.run(['sites:create', site], { cwd: project });
    assert.equal(created.code, 0, created.stderr);
  });
  after(async () => {
    await home?.run(['sites:delete', site, '--yes'], { cwd: project }).catch(() => undefined);
    await p?.waitForTeardown();
    home?.cleanup();
    await p?.close();
  });

  test('a backup is taken and verified, listed, downloaded as a pg_dump archive, and the site restored from it', async () => {
    const empty = await home.run(['db:backups'], { cwd: project });
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stdout + empty.stderr, /no backup yet/);

    const made = await home.run(['db:backup'], { cwd: project });
    assert.equal(made.code, 0, made.stderr);
    const id = /Backup ([0-9a-f-]{36}) of/.exec(made.stdout + made.stderr)?.[1];
    assert.ok(id, made.stdout + made.stderr);

    const listed = await home.run(['db:backups', '--json'], { cwd: project });
    assert.equal(listed.code, 0, listed.stderr);
    const body = JSON.parse(listed.stdout) as { retentionDays: number; backups: { id: string }[] };
    assert.equal(body.retentionDays, 1);
    assert.deepEqual(body.backups.map((b) => b.id), [id]);

    const file = join(home.dir, 'latest.dump');
    const dl = await home.run(['db:download', id, '-o', file], { cwd: project });
    assert.equal(dl.code, 0, dl.stderr);
    assert.equal(readFileSync(file).subarray(0, 5).toString(), 'PGDMP');

    const restored = await home.run(['db:restore', '--backup', id], { cwd: project });
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout + restored.stderr, /now runs on the restored database/);
  });

  test('a bad or unknown backup id is refused with a message that names the command to run', async () => {
    const bad = await home.run(['db:download', 'latest'], { cwd: project });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /paddock db:backups/);
    const unknown = await home.run(['db:restore', '--backup', randomUUID()], { cwd: project });
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /No backup ".*" of this site\. List its backups with `paddock db:backups`/);
    const neither = await home.run(['db:restore'], { cwd: project });
    assert.equal(neither.code, 2, neither.stderr);
    assert.match(neither.stderr, /--backup <id> or --to <time>/);
    // The dev stack's servers are not archived: going back to a moment is refused, pointing at backups.
    const unarchived = await home.run(['db:restore', '--to', new Date(Date.now() - 60_000).toISOString()], { cwd: project });
    assert.notEqual(unarchived.code, 0);
    assert.match(unarchived.stderr, /not archived continuously[^]*paddock db:restore --backup ID/);
  });
});
