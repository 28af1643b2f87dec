// A relation names its target by the typed class itself (`fields.foreignKey(Question, ...)`), as the tutorial does:
// that compiles (typecheck runs over this file) and works, for foreign keys, one-to-ones and many-to-many fields.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabases, configureDatabases, fields, makeMigrations, migrate, model, type Instance } from '@paddock/runtime';

const Question = model('refpolls.Question', { questionText: fields.char({ maxLength: 200 }) });
type QuestionRow = Instance<typeof Question>;
const Tag = model('refpolls.Tag', { name: fields.char({ maxLength: 50 }) });
const Choice = model('refpolls.Choice', {
  question: fields.foreignKey<QuestionRow>(Question, { onDelete: 'cascade', relatedName: 'choices' }),
  featured: fields.oneToOne(() => Question, { onDelete: 'cascade', null: true, relatedName: 'featuredChoice' }),
  tags: fields.manyToMany(Tag, { blank: true }),
  choiceText: fields.char({ maxLength: 200 }),
});

const dir = mkdtempSync(join(tmpdir(), 'pdk-refs-'));
after(async () => {
  await closeDatabases();
  rmSync(dir, { recursive: true, force: true });
});

test('relations to typed model classes compile, migrate and load', async () => {
  await configureDatabases({ default: { url: 'pglite:memory' } });
  const apps = [{ label: 'refpolls', dir }];
  await makeMigrations({ apps });
  await migrate({ apps });
  const q = await Question.objects.create({ questionText: 'What is new?' });
  const c = await Choice.objects.create({ question: q, choiceText: 'Not much' });
  await c.tags.add(await Tag.objects.create({ name: 'small talk' }));
  const loaded = await Choice.objects.selectRelated('question').get({ id: c.id });
  assert.equal(loaded.question.questionText, 'What is new?', 'the foreign key is typed as a question');
  assert.deepEqual((await loaded.tags).map((t) => t.name), ['small talk']);
});
