// Models as classes: a model's subclass (Django's model class with __str__ and its own methods) is what every
// instance is made of, however it was obtained. On real Postgres.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fields, makeMigrations, model, nunjucksEngine, ModelDefinitionError, registry, type Manager, type RelatedManager,
} from '@paddock/runtime';
import { modelForm } from '@paddock/runtime/forms';
import { dumpData, loadData } from '@paddock/runtime/serializers';
import { testDatabase } from '../contrib/helpers/db.js';
import { tempDir } from '../helpers/site.js';

const DAY = 24 * 3600 * 1000;

export class Question extends model('classes.Question', {
  questionText: fields.char({ maxLength: 200 }),
  pubDate: fields.datetime(),
}, { ordering: ['id'] }) {
  declare static objects: Manager<Question>;
  override toString(): string { return this.questionText; }
  wasPublishedRecently(now = new Date()): boolean {
    return this.pubDate.getTime() >= now.getTime() - DAY && this.pubDate.getTime() <= now.getTime();
  }
  get shout(): string { return this.questionText.toUpperCase(); }
  get choices(): RelatedManager<Choice> { return this.related('choiceSet') as unknown as RelatedManager<Choice>; }
}

export class Choice extends model('classes.Choice', {
  question: fields.foreignKey('classes.Question', { onDelete: 'cascade' }),
  choiceText: fields.char({ maxLength: 200 }),
  votes: fields.integer({ default: 0 }),
}, { ordering: ['id'] }) {
  declare static objects: Manager<Choice>;
  override toString(): string { return `${this.choiceText} (${this.votes})`; }
}

describe('models as classes', () => {
  const app = tempDir('pdk-classes-');
  const apps = [{ label: 'classes', dir: app.dir }];
  let db: { drop: () => Promise<void> };
  let q: Question;

  before(async () => {
    await makeMigrations({ apps });
    db = await testDatabase(apps);
    q = await Question.objects.create({ questionText: "What's new?", pubDate: new Date(Date.now() - 3600_000) });
    await Choice.objects.create({ question: q, choiceText: 'Not much' });
    await Choice.objects.create({ question: q, choiceText: 'The sky', votes: 2 });
  });
  after(async () => {
    await db?.drop();
    app.cleanup();
  });

  test('a model subclass\'s methods and getters are on created, constructed and loaded instances', async () => {
    assert.ok(q instanceof Question);
    assert.equal(String(q), "What's new?");
    assert.equal(q.wasPublishedRecently(), true);
    assert.ok(new Question({ questionText: 'x', pubDate: new Date(0) }) instanceof Question);
    const loaded = await Question.objects.get({ pk: q.id });
    assert.ok(loaded instanceof Question);
    assert.deepEqual([`${loaded}`, loaded.shout, loaded.wasPublishedRecently()], ["What's new?", "WHAT'S NEW?", true]);
    assert.equal((await Question.objects.first())?.toString(), "What's new?");
    for await (const each of Question.objects.iterator(10)) assert.equal(each.wasPublishedRecently(), true);
    const [raw] = await Question.objects.raw('select * from classes_question where id = $1', [q.id]);
    assert.equal(raw?.shout, "WHAT'S NEW?");
  });

  test('instances reached through relations are the subclass too (selectRelated, prefetchRelated, reverse managers)', async () => {
    const [viaSelect] = await Choice.objects.selectRelated('question').orderBy('id');
    assert.ok(viaSelect?.question instanceof Question);
    assert.equal((viaSelect.question as Question).wasPublishedRecently(), true);
    const [viaPrefetch] = await Choice.objects.prefetchRelated('question');
    assert.equal((viaPrefetch?.question as Question).shout, "WHAT'S NEW?");
    const choices = await q.choices;
    assert.deepEqual(choices.map(String), ['Not much (0)', 'The sky (2)']);
    assert.ok(choices.every((c) => c instanceof Choice));
    const [withChoices] = await Question.objects.prefetchRelated('choiceSet');
    assert.deepEqual([...withChoices!.choices].map(String), ['Not much (0)', 'The sky (2)']);
    const [fetched] = await Choice.objects.filter({ question__questionText: "What's new?" });
    assert.ok((await fetched!.fetchRelated('question')) instanceof Question);
  });

  test('templates, model forms and loaddata use the subclass (its toString labels objects)', async () => {
    const engine = nunjucksEngine({ dirs: [], debug: false, options: {}, reverse: () => '/', staticUrl: (p) => p });
    const [loaded] = await Question.objects.prefetchRelated('choiceSet');
    const html = await engine.renderString('{{ q }}: {% for c in q.choices %}{{ c }}; {% endfor %}{% if q.wasPublishedRecently() %}new{% endif %}', { q: loaded });
    assert.equal(html, 'What&#39;s new?: Not much (0); The sky (2); new');
    const ChoiceForm = await modelForm(Choice, { fields: ['question', 'choiceText'] });
    const form = await ChoiceForm.bind(undefined);
    assert.match(String(form.field('question').widgetHtml()), /<option value="\d+">What&#x27;s new\?<\/option>/);
    const dump = await dumpData('json', [Question]);
    await loadData('json', dump);
    assert.ok((await Question.objects.get({ pk: q.id })) instanceof Question);
  });

  test('a model has one class: a second, unrelated subclass of the same model is refused', () => {
    assert.equal(registry.get('classes.Choice'), Choice);
    const generated = Object.getPrototypeOf(Choice) as typeof Choice;
    class Other extends generated {}
    assert.throws(() => new Other({ choiceText: 'x', question: q }), (err: unknown) => err instanceof ModelDefinitionError && /two classes, Choice and Other/.test(err.message));
    // A deeper subclass of the adopted one takes over.
    class SpecialChoice extends Choice { get special(): boolean { return true; } }
    void SpecialChoice.objects;
    assert.equal(registry.get('classes.Choice'), SpecialChoice);
    assert.equal(Object.getPrototypeOf(new Choice({ choiceText: 'y', question: q })).constructor, Choice);
  });
});
