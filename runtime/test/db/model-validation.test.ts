// Model validation: the clean() hook, unique and unique-together checked against the database in fullClean() and in
// model forms (as form errors, not a failed save), every check in one pass. On real Postgres.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fields, makeMigrations, model, rawQuery, ValidationError, NON_FIELD_ERRORS, type Manager } from '@paddock/runtime';
import { modelForm } from '@paddock/runtime/forms';
import { testDatabase } from '../contrib/helpers/db.js';
import { tempDir } from '../helpers/site.js';

class Event extends model('valid.Event', {
  title: fields.char({ maxLength: 100 }),
  slug: fields.slug({ unique: true }),
  contact: fields.email({ maxLength: 100, blank: true, default: '' }),
  starts: fields.date(),
  ends: fields.date(),
  room: fields.char({ maxLength: 20 }),
}, { uniqueTogether: [['room', 'starts']] }) {
  declare static objects: Manager<Event>;
  override clean(): void {
    this.title = this.title.trim();
    if (this.ends < this.starts) throw new ValidationError({ ends: 'An event cannot end before it starts.' });
    if (this.title.toLowerCase() === 'tbd') throw new ValidationError('Give the event a real title.', 'placeholder');
  }
}

const Entry = model('valid.Entry', { body: fields.text() });
const Box = model('valid.Box', { label: fields.char({ maxLength: 10 }) }, { verboseName: 'storage box' });
const Person = model('valid.Person', { name: fields.char({ maxLength: 10 }) }, { verboseNamePlural: 'people' });

describe('model validation', () => {
  const app = tempDir('pdk-valid-');
  const apps = [{ label: 'valid', dir: app.dir }];
  let db: { drop: () => Promise<void> };
  const day = (d: string) => d;

  before(async () => {
    await makeMigrations({ apps });
    db = await testDatabase(apps);
  });
  after(async () => {
    await db?.drop();
    app.cleanup();
  });
  beforeEach(() => rawQuery('truncate valid_event'));

  const launch = () => ({ title: 'Launch', slug: 'launch', starts: day('2026-05-01'), ends: day('2026-05-02'), room: 'A' });

  test('a model\'s clean() hook runs in fullClean(): it may normalise values and reports errors on fields or on the whole object', async () => {
    const e = new Event({ ...launch(), title: '  Launch  ' });
    await e.fullClean();
    assert.equal(e.title, 'Launch');
    await assert.rejects(new Event({ ...launch(), ends: '2026-04-01' }).fullClean(),
      (err: unknown) => err instanceof ValidationError && err.errors.ends?.[0] === 'An event cannot end before it starts.');
    await assert.rejects(new Event({ ...launch(), title: 'TBD' }).fullClean(),
      (err: unknown) => err instanceof ValidationError && err.errors[NON_FIELD_ERRORS]?.[0] === 'Give the event a real title.');
    // save({ validate: true }) runs the same checks before writing.
    await assert.rejects(new Event({ ...launch(), title: 'tbd' }).save({ validate: true }), ValidationError);
    assert.equal(await Event.objects.count(), 0);
  });

  test('fullClean() checks unique and unique-together against the database, excluding the object itself', async () => {
    const first = await Event.objects.create(launch());
    await first.fullClean(); // its own row is not a duplicate of itself
    const loaded = await Event.objects.get({ pk: first.id });
    loaded.title = 'Launch party';
    await loaded.fullClean();
    await assert.rejects(new Event({ ...launch(), room: 'B' }).fullClean(), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.deepEqual(err.errors, { slug: ['Event with this Slug already exists.'] });
      assert.equal(err.fieldIssues.slug?.[0]?.code, 'unique');
      return true;
    });
    await assert.rejects(new Event({ ...launch(), slug: 'other' }).fullClean(), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.deepEqual(err.errors, { [NON_FIELD_ERRORS]: ['Event with this Room and Starts already exists.'] });
      return true;
    });
    // Excluded fields are not checked (a form that does not edit them).
    await new Event({ ...launch(), room: 'B' }).fullClean({ exclude: ['slug'] });
  });

  test('every check runs in one pass: field errors, the clean() hook and uniqueness are reported together', async () => {
    await Event.objects.create(launch());
    const bad = new Event({ ...launch(), title: 'x'.repeat(101), contact: 'not-an-email', ends: '2026-04-30' });
    await assert.rejects(bad.fullClean(), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.deepEqual(Object.keys(err.errors).sort(), [NON_FIELD_ERRORS, 'contact', 'ends', 'slug', 'title']);
      return true;
    });
  });

  test('a model form refuses a duplicate with a form error (not a 409 from the database) and shows it with the other errors', async () => {
    await Event.objects.create(launch());
    const EventForm = await modelForm(Event, { fields: ['title', 'slug', 'contact', 'starts', 'ends', 'room'] });
    const dup = await EventForm.bind(undefined, { data: { title: 'Again', slug: 'launch', contact: 'bad', starts: '2026-06-01', ends: '2026-06-02', room: 'A' } });
    assert.equal(await dup.isValid(), false);
    assert.deepEqual(dup.errors.slug?.map((i) => i.message), ['Event with this Slug already exists.']);
    assert.ok(dup.errors.contact?.length, 'the form field error is reported in the same pass');
    assert.match(String(dup.asDiv()), /Event with this Slug already exists\./);
    const together = await EventForm.bind(undefined, { data: { title: 'Again', slug: 'again', starts: '2026-05-01', ends: '2026-05-03', room: 'A' } });
    assert.equal(await together.isValid(), false);
    assert.deepEqual(together.nonFieldErrors(), ['Event with this Room and Starts already exists.']);
    const hook = await EventForm.bind(undefined, { data: { title: 'Later', slug: 'later', starts: '2026-05-09', ends: '2026-05-08', room: 'C' } });
    assert.equal(await hook.isValid(), false);
    assert.deepEqual(hook.errors.ends?.map((i) => i.message), ['An event cannot end before it starts.']);
    // Editing an existing event keeps its own slug without calling it a duplicate.
    const existing = await Event.objects.get({ slug: 'launch' });
    const edit = await EventForm.bind(existing, { data: { title: 'Launch (moved)', slug: 'launch', starts: '2026-05-01', ends: '2026-05-02', room: 'A' } });
    assert.equal(await edit.isValid(), true, JSON.stringify(edit.errors));
    await edit.save();
    assert.equal((await Event.objects.get({ slug: 'launch' })).title, 'Launch (moved)');
    assert.equal(await Event.objects.count(), 1);
  });

  test('verboseNamePlural defaults to the English plural of the model\'s name and can be set', () => {
    assert.deepEqual([Entry._meta.verboseName, Entry._meta.verboseNamePlural], ['entry', 'entries']);
    assert.deepEqual([Box._meta.verboseName, Box._meta.verboseNamePlural], ['storage box', 'storage boxes']);
    assert.equal(Person._meta.verboseNamePlural, 'people');
    assert.equal(Event._meta.verboseNamePlural, 'events');
  });
});
