// Several databases at once: a read replica behind a router, explicit using(alias), and a persistent PGlite directory.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  atomic, captureQueries, closeDatabases, configureDatabases, DatabaseConfigError, fields, makeMigrations, migrate,
  model, primaryReplicaRouter, using,
} from '@paddock/runtime';

const Note = model('notes.Note', { text: fields.char({ maxLength: 50 }) }, { ordering: ['text'] });
const dir = mkdtempSync(join(tmpdir(), 'pdk-notes-'));
const apps = [{ label: 'notes', dir }];
after(async () => {
  await closeDatabases();
  rmSync(dir, { recursive: true, force: true });
});

describe('databases and routing', () => {
  test('reads go to the replica, writes to the primary, and a transaction reads its own writes', async () => {
    // primaryReplicaRouter leaves migrations to the primary (a real replica copies them); these two are independent.
    const router = { ...primaryReplicaRouter({ replicas: ['replica'] }), allowMigrate: () => true };
    await configureDatabases({ default: { url: 'pglite:memory' }, replica: { url: 'pglite:memory' } }, { router });
    await makeMigrations({ apps });
    await migrate({ apps });
    await migrate({ apps, database: 'replica' });
    await Note.objects.using('replica').create({ text: 'on replica' });

    const { queries } = await captureQueries(async () => {
      await Note.objects.create({ text: 'on primary' });
      assert.deepEqual((await Note.objects.all()).map((n) => n.text), ['on replica'], 'reads were routed to the replica');
      await atomic(async () => {
        assert.deepEqual((await Note.objects.all()).map((n) => n.text), ['on primary'], 'inside a transaction reads stay on the primary');
      });
    });
    assert.deepEqual(queries.filter((q) => !/^(begin|commit)$/.test(q.sql)).map((q) => q.alias), ['default', 'replica', 'default']);
    assert.deepEqual((await Note.objects.using('default')).map((n) => n.text), ['on primary']);
    assert.deepEqual(await using('replica').rawQuery('select text from notes_note'), [{ text: 'on replica' }]);
    const saved = (await Note.objects.using('default').get({ text: 'on primary' }));
    saved.text = 'edited';
    await saved.save();
    assert.equal((await Note.objects.using('default').first())?.text, 'edited', 'a loaded object saves back where it came from');
  });

  test('an unknown alias says which ones exist', async () => {
    assert.throws(() => using('nope'), (e: unknown) => e instanceof DatabaseConfigError && /default, replica/.test((e as Error).message));
    await assert.rejects(configureDatabases({ replica: { url: 'pglite:memory' } }), DatabaseConfigError);
    await assert.rejects(configureDatabases({ default: { url: 'mysql://x' } }), /postgres:\/\/ or pglite:/);
  });

  test('a pglite:<dir> database keeps its data across restarts', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pdk-pglite-'));
    try {
      await configureDatabases({ default: { url: `pglite:${data}` } });
      await migrate({ apps });
      await Note.objects.create({ text: 'persisted' });
      await closeDatabases();
      await configureDatabases({ default: { url: `pglite:${data}` } });
      assert.deepEqual((await Note.objects.all()).map((n) => n.text), ['persisted']);
      assert.deepEqual((await migrate({ apps })).applied, [], 'the migration history persisted too');
    } finally {
      await closeDatabases();
      rmSync(data, { recursive: true, force: true });
    }
  });
});
