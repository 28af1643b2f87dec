import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fields, makeMigrations, model, BadRequest } from '@paddock/runtime';
import { dumpData, deserialize, loadData, serialize } from '@paddock/runtime/serializers';
import { testDatabase } from '../contrib/helpers/db.js';

const Tag = model('sertest.Tag', { id: fields.auto(), name: fields.char({ maxLength: 50 }) });
const Note = model('sertest.Note', {
  id: fields.auto(),
  title: fields.char({ maxLength: 100 }),
  body: fields.text({ blank: true, default: '' }),
  stars: fields.integer({ default: 0 }),
  done: fields.boolean({ default: false }),
  due: fields.datetime({ null: true }),
  parent: fields.foreignKey('sertest.Note', { onDelete: 'cascade', null: true }),
  tags: fields.manyToMany('sertest.Tag', { blank: true }),
});

let db: Awaited<ReturnType<typeof testDatabase>>;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pdk-sertest-'));
  await makeMigrations({ apps: [{ label: 'sertest', dir }] });
  db = await testDatabase([{ label: 'sertest', dir }]);
});
after(async () => {
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function seed() {
  const [a, b] = [await Tag.objects.create({ name: 'a' }), await Tag.objects.create({ name: 'b & <c>' })];
  const n1 = await Note.objects.create({ title: 'First "note" <b>', stars: 3, done: true, due: new Date('2026-05-01T10:00:00Z') });
  const n2 = await Note.objects.create({ title: 'Child', parentId: n1.id });
  await n1.tags.set([a, b]);
  return { n1, n2 };
}

test('JSON and XML round-trip objects with foreign keys, many-to-many keys, dates and markup', async () => {
  const { n1 } = await seed();
  for (const format of ['json', 'xml'] as const) {
    const text = await dumpData(format, [Tag, Note]);
    if (format === 'json') {
      const first = (JSON.parse(text) as Array<{ model: string; fields: Record<string, unknown> }>).find((r) => r.model === 'sertest.note');
      assert.deepEqual(first?.fields.tags, [1, 2]);
      assert.equal(first?.fields.due, '2026-05-01T10:00:00.000Z');
    } else {
      assert.match(text, /<field name="title" type="char">First &quot;note&quot; &lt;b&gt;<\/field>/);
      assert.match(text, /<field name="parent" rel="ManyToOneRel" to="sertest.note"><None\/><\/field>/);
    }
    await Note.objects.all().delete();
    await Tag.objects.all().delete();
    assert.equal(await loadData(format, text), 4);
    const back = await Note.objects.get({ id: n1.id });
    assert.equal(back.title, 'First "note" <b>');
    assert.equal(back.stars, 3);
    assert.equal(back.done, true);
    assert.equal(back.due?.toISOString(), '2026-05-01T10:00:00.000Z');
    assert.deepEqual((await back.tags).map((t) => t.name).sort(), ['a', 'b & <c>']);
    assert.equal((await Note.objects.get({ title: 'Child' })).parentId, n1.id);
  }
  const fresh = await Note.objects.create({ title: 'after load' });
  assert.ok(fresh.id > n1.id, 'sequences moved past loaded keys');
  await Note.objects.all().delete();
  await Tag.objects.all().delete();
});

test('serialize can limit fields and never needs the objects to be saved twice', async () => {
  const t = await Tag.objects.create({ name: 'solo' });
  const json = JSON.parse(await serialize('json', [t], { fields: ['name'] })) as unknown[];
  assert.deepEqual(json, [{ model: 'sertest.tag', pk: t.id, fields: { name: 'solo' } }]);
  await Tag.objects.all().delete();
});

test('loading refuses unknown models and fields, malformed data, and XML with entity declarations', async () => {
  const bad: Array<['json' | 'xml', string]> = [
    ['json', '{"not": "a list"}'],
    ['json', '[{"model": "auth.secret", "pk": 1, "fields": {}}]'],
    ['json', 'not json'],
    ['xml', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><django-objects><object model="sertest.tag" pk="1"><field name="name">&e;</field></object></django-objects>'],
    ['xml', '<django-objects><object model="sertest.tag" pk="1"><field name="name">x</object></django-objects>'],
    ['xml', '<other/>'],
  ];
  for (const [format, text] of bad) assert.throws(() => deserialize(format, text), BadRequest, text);
  assert.throws(() => deserialize('json', '[{"model": "sertest.tag", "pk": 1, "fields": {"password": "x"}}]'), /no field "password"/);
  await assert.rejects(loadData('json', '[{"model": "sertest.tag", "pk": 1, "fields": {"name": "ok"}}, {"model": "sertest.note", "pk": 1, "fields": {"title": null}}]'));
  assert.equal(await Tag.objects.count(), 0, 'a failed load leaves nothing behind');
});
