// The ORM's sharp edges a Django developer hit (issue "framework parity"), each fixed and named here, on real Postgres.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fields, makeMigrations, model, nunjucksEngine, FieldError, type AnyInstance, type RelatedManager } from '@paddock/runtime';
import { dumpData, loadData } from '@paddock/runtime/serializers';
import { testDatabase } from '../contrib/helpers/db.js';
import { tempDir } from '../helpers/site.js';

const Writer = model('edges.Writer', { name: fields.char({ maxLength: 50 }) });
const Article = model('edges.Article', {
  title: fields.char({ maxLength: 100 }),
  author: fields.foreignKey('edges.Writer', { onDelete: 'cascade' }),
  labels: fields.manyToMany('edges.Label', { through: 'edges.ArticleLabel', blank: true }),
});
const Label = model('edges.Label', { name: fields.char({ maxLength: 50 }) });
// Declared after the model that names it as `through`, and pointing back at it: the order that tripped makemigrations.
const ArticleLabel = model('edges.ArticleLabel', {
  article: fields.foreignKey('edges.Article', { onDelete: 'cascade' }),
  label: fields.foreignKey('edges.Label', { onDelete: 'cascade' }),
  weight: fields.integer({ default: 1 }),
});
const Question = model('edges.Question', { text: fields.char({ maxLength: 200 }) });
const Choice = model('edges.Choice', {
  question: fields.foreignKey('edges.Question', { onDelete: 'cascade', relatedName: 'choices' }),
  text: fields.char({ maxLength: 200 }),
}, { ordering: ['id'] });

const engine = nunjucksEngine({ dirs: [], debug: false, options: {}, reverse: () => '/', staticUrl: (p) => `/static/${p}` });

describe('ORM sharp edges', () => {
  const app = tempDir('pdk-edges-');
  const apps = [{ label: 'edges', dir: app.dir }];
  let db: { drop: () => Promise<void> };

  before(async () => {
    await makeMigrations({ apps });
    db = await testDatabase(apps);
  });
  after(async () => {
    await db?.drop();
    app.cleanup();
  });

  test('makemigrations creates a many-to-many through model after the model that declares the field, so migrate succeeds', async () => {
    // testDatabase() above ran migrate on a fresh database: it would have failed with relation "edges_article" does not exist.
    const file = readdirSync(join(app.dir, 'migrations')).find((f) => f.startsWith('0001_'));
    assert.ok(file, 'an initial migration was written');
    const text = readFileSync(join(app.dir, 'migrations', file), 'utf8');
    const created = [...text.matchAll(/"op": "createModel",\s*"model": "([^"]+)"/g)].map((m) => m[1]);
    assert.ok(created.indexOf('edges.Article') < created.indexOf('edges.ArticleLabel'), `creation order: ${created.join(', ')}`);
    const w = await Writer.objects.create({ name: 'Ann' });
    const a = await Article.objects.create({ title: 'On order', author: w });
    const l = await Label.objects.create({ name: 'orm' });
    await ArticleLabel.objects.create({ article: a, label: l, weight: 3 });
    assert.deepEqual((await Article.objects.filter({ labels__name: 'orm' })).map((x) => x.title), ['On order']);
  });

  test('loaddata of a dumpdata file over existing rows updates them by primary key', async () => {
    const w = await Writer.objects.create({ name: 'Original' });
    const dump = await dumpData('json', [Writer]);
    w.name = 'Changed since the dump';
    await w.save();
    const before = await Writer.objects.count();
    const loaded = await loadData('json', dump);
    assert.equal(loaded, before);
    assert.equal(await Writer.objects.count(), before, 'no row was inserted twice');
    assert.equal((await Writer.objects.get({ pk: w.id })).name, 'Original');
  });

  test('a foreign key given a raw id is set to that id (constructor, create and getOrCreate)', async () => {
    const w = await Writer.objects.create({ name: 'Raw' });
    const a = new Article({ title: 'By key', author: w.id });
    assert.equal(a.authorId, w.id);
    await a.save();
    assert.equal((await Article.objects.get({ pk: a.id })).authorId, w.id);
    const [made, created] = await Article.objects.getOrCreate({ title: 'Got or created', author: w.id });
    assert.equal(created, true);
    assert.equal(made.authorId, w.id);
    const [again, createdAgain] = await Article.objects.getOrCreate({ title: 'Got or created', author: w.id });
    assert.deepEqual([again.id, createdAgain], [made.id, false]);
    // Setting the key after loading the relation forgets the loaded object instead of keeping a stale one.
    const other = await Writer.objects.create({ name: 'Other' });
    const loadedArticle = await Article.objects.selectRelated('author').get({ pk: a.id });
    (loadedArticle as unknown as { author: number }).author = other.id;
    assert.equal(loadedArticle.authorId, other.id);
    assert.throws(() => loadedArticle.author, FieldError);
    assert.throws(() => new Article({ title: 'x', author: { id: 1 } as never }), /takes a edges\.Writer instance or its key/);
  });

  test('{% for c in question.choices %} renders the prefetched choices, and says how to load them without prefetchRelated', async () => {
    const q = await Question.objects.create({ text: 'Best colour?' });
    await (q.related('choices') as RelatedManager<AnyInstance>).create({ text: 'Red' });
    await (q.related('choices') as RelatedManager<AnyInstance>).create({ text: 'Blue' });
    const template = '{% for c in question.choices %}<li>{{ c.text }}</li>{% endfor %}';
    const [loaded] = await Question.objects.filter({ pk: q.id }).prefetchRelated('choices');
    assert.equal(await engine.renderString(template, { question: loaded }), '<li>Red</li><li>Blue</li>');
    // .all() keeps the prefetched rows, as in Django.
    assert.deepEqual([...loaded!.related('choices').all()].map((c) => c.text), ['Red', 'Blue']);
    const plain = await Question.objects.get({ pk: q.id });
    await assert.rejects(engine.renderString(template, { question: plain }), /edges\.Question\.choices is not loaded.*prefetchRelated\('choices'\)/s);
    // Without a template, awaiting the manager runs the query.
    assert.deepEqual((await plain.related('choices')).map((c) => c.text), ['Red', 'Blue']);
    assert.equal(Choice._meta.label, 'edges.Choice');
  });
});
