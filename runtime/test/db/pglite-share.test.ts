// One owner per embedded database folder: a second process goes through a sharing owner (as `paddock dev` shares
// .paddock/db) or is refused, never opens its own copy; a dead owner's lock is taken over.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { closeDatabases, configureDatabases, rawQuery } from '@paddock/runtime';
import { tempDir } from '../helpers/site.js';

const USER = join(import.meta.dirname, '..', 'fixtures', 'pglite-user.ts');
const tmp = tempDir('pdk-share-');
after(async () => { await closeDatabases(); tmp.cleanup(); });

type Seen = { bodies?: string[]; dateCrossed?: boolean; duplicate?: string; count?: number; error?: string; code?: string; message?: string; inTransaction?: boolean };

/** Runs pglite-user.ts in another process (asynchronously: this process may be the owner it talks to). */
async function runUser(dir: string, action: string): Promise<{ status: number | null; seen: Seen; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=paddock-source', USER, dir, action], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const status = await new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  const line = stdout.trim().split('\n').pop() ?? '';
  return { status, seen: JSON.parse(line || '{}') as Seen, stderr };
}

describe('an embedded database folder has one owner', () => {
  const dir = join(tmp.dir, 'shared');

  test('a sharing owner serves another process: its writes, rollbacks, errors and types cross, and the owner sees them', async () => {
    await configureDatabases({ default: { url: `pglite:${dir}`, share: true } });
    await rawQuery('create table notes (id serial primary key, body text not null)');
    await rawQuery("insert into notes (body) values ('from the owner')");
    const lock = JSON.parse(readFileSync(`${dir}.lock`, 'utf8')) as { pid: number; socket: string };
    assert.equal(lock.pid, process.pid);
    assert.ok(lock.socket);

    const r = await runUser(dir, 'write');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.seen.bodies, ['from the owner', 'from another process']);
    assert.equal(r.seen.dateCrossed, true, 'a timestamp arrives as a Date');
    assert.equal(r.seen.duplicate, 'IntegrityError', 'a constraint violation is the ORM\'s IntegrityError, as in-process');
    const rows = await rawQuery<{ body: string }>('select body from notes order by id');
    assert.deepEqual(rows.map((x) => x.body), ['from the owner', 'from another process']);
  });

  test('a process killed in the middle of a transaction leaves nothing behind and does not block the owner', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=paddock-source', USER, dir, 'hang'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((ready, fail) => {
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('inTransaction')) ready(); });
      child.on('exit', () => fail(new Error(`exited early: ${out}`)));
    });
    const exited = new Promise((done) => child.on('exit', done));
    child.kill('SIGKILL');
    await exited;
    const rows = await rawQuery<{ body: string }>('select body from notes order by id');
    assert.deepEqual(rows.map((x) => x.body), ['from the owner', 'from another process']);
  });

  test('when the owner closes, the rows are on disk and the lock is gone', async () => {
    await closeDatabases();
    assert.equal(existsSync(`${dir}.lock`), false);
    const r = await runUser(dir, 'count');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.seen.count, 2);
  });

  test('a process that keeps the folder to itself gets the others refused with DatabaseInUse, naming it', async () => {
    await configureDatabases({ default: { url: `pglite:${dir}` } });
    await rawQuery('select 1');
    const r = await runUser(dir, 'count');
    assert.equal(r.status, 3);
    assert.equal(r.seen.code, 'PDK_DATABASE_IN_USE');
    assert.match(r.seen.message ?? '', new RegExp(`open in another process \\(pid ${process.pid}: .*\\)\\. Wait for that command to finish`));
    await closeDatabases();
  });

  test('a lock left by a process that died is taken over', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: Number(dead.stdout), command: 'serve --dev', socket: join(tmp.dir, 'gone.sock') }));
    const r = await runUser(dir, 'count');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.seen.count, 2);
    assert.equal(existsSync(`${dir}.lock`), false);
  });
});
