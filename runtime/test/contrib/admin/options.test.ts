// The admin's options, each through its pages as a browser would post them: fieldsets, read-only values, inlines
// (add, change, delete rows with the parent in one transaction), date filters and the date hierarchy, search pickers
// for foreign keys and their JSON search, actions that ask first, the change history, plural names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultMiddleware, include, fields, makeMigrations, migrate, model, closeDatabases, ImproperlyConfigured, json,
  type Instance, type Response as Res, type Site,
} from '@paddock/runtime';
import { LocMemCache } from '@paddock/runtime/cache';
import { CacheSessionStore, sessionMiddleware } from '@paddock/runtime/contrib/sessions';
import { messagesMiddleware } from '@paddock/runtime/contrib/messages';
import { authApp, authMiddleware, configureAuth, Permission, PBKDF2PasswordHasher, syncPermissions, User } from '@paddock/runtime/contrib/auth';
import { adminApp, AdminSite, describeChange, LogEntry, stackedInline, tabularInline } from '@paddock/runtime/contrib/admin';
import { call, makeSite } from '../../helpers/site.js';
import { testDatabase } from '../helpers/db.js';

const Topic = model('adminpolls.Topic', { id: fields.auto(), name: fields.char({ maxLength: 100 }) });
const Question = model('adminpolls.Question', {
  id: fields.auto(),
  questionText: fields.char({ maxLength: 200 }),
  pubDate: fields.datetime({ verboseName: 'date published' }),
  notes: fields.text({ blank: true, default: '' }),
  secret: fields.char({ maxLength: 50, blank: true, default: 'kept' }),
  status: fields.char({ maxLength: 10, choices: [['open', 'Open'], ['closed', 'Closed']], default: 'open' }),
  featured: fields.boolean({ default: false }),
  topic: fields.foreignKey('adminpolls.Topic', { onDelete: 'setNull', null: true, blank: true }),
}, { ordering: ['-pubDate'] });
const Choice = model('adminpolls.Choice', {
  id: fields.auto(),
  question: fields.foreignKey('adminpolls.Question', { onDelete: 'cascade', relatedName: 'choices' }),
  choiceText: fields.char({ maxLength: 200 }),
  votes: fields.integer({ default: 0 }),
});
const Note = model('adminpolls.Note', {
  id: fields.auto(),
  question: fields.foreignKey('adminpolls.Question', { onDelete: 'cascade', relatedName: 'questionNotes' }),
  text: fields.char({ maxLength: 100 }),
  topic: fields.foreignKey('adminpolls.Topic', { onDelete: 'cascade', null: true, blank: true }),
});
const Entry = model('adminpolls.Entry', { id: fields.auto(), title: fields.char({ maxLength: 100 }) });
const Box = model('adminpolls.Box', { id: fields.auto(), label: fields.char({ maxLength: 100 }) });
type QuestionI = Instance<typeof Question>;

const fast = new PBKDF2PasswordHasher({ iterations: 1000 });
let db: Awaited<ReturnType<typeof testDatabase>>;
let appDir: string;
const admin = new AdminSite({ prefix: '/admin/' });
const closed: string[] = [];
// A method of the model's class, as Django's list_display / readonly_fields callables.
Object.defineProperty(Question.prototype, 'choiceCount', { value: function choiceCount(this: QuestionI) { return `id ${String(this.id)}`; }, configurable: true });
admin.register(Question, {
  listDisplay: ['questionText', 'pubDate', 'status'],
  searchFields: ['questionText'],
  listFilter: ['pubDate', 'status', 'featured', 'topic'],
  dateHierarchy: 'pubDate',
  fieldsets: [
    [null, { fields: ['questionText', ['status', 'featured']] }],
    ['Date information', { fields: ['pubDate', 'topic'], classes: ['collapse'], description: 'When the poll opens.' }],
    ['Internals', { fields: ['secret', 'choiceCount'] }],
  ],
  readonlyFields: ['secret', { label: 'Shouting', value: (q) => String((q as QuestionI).questionText).toUpperCase() }, 'choiceCount'],
  autocompleteFields: ['topic'],
  inlines: [
    tabularInline(Choice, { extra: 3, maxNum: 5, fields: ['choiceText', 'votes'] }),
    stackedInline(Note, { extra: 1, autocompleteFields: ['topic'] }),
  ],
  actions: [
    { name: 'close', description: 'Close the selected polls', confirm: true, run: async (_req, objs) => {
      for (const q of objs) {
        (q as QuestionI).status = 'closed';
        await q.save();
        closed.push(String((q as QuestionI).questionText));
      }
      return `Closed ${objs.length} polls.`;
    } },
    { name: 'export', description: 'Export as JSON', run: async (_req, objs) => json(objs.map((q) => (q as QuestionI).questionText)) },
  ],
  repr: (q) => String((q as QuestionI).questionText),
});
admin.register(Topic, { searchFields: ['name'], repr: (t) => String(t.name) });
admin.register(Choice, { repr: (c) => String(c.choiceText) });
admin.register(Entry, {});
admin.register(Box, {});


before(async () => {
  appDir = mkdtempSync(join(tmpdir(), 'pdk-adminpolls-'));
  await makeMigrations({ apps: [{ label: 'adminpolls', dir: appDir }] });
  db = await testDatabase([authApp, adminApp]);
  await migrate({ apps: [authApp, adminApp, { label: 'adminpolls', dir: appDir }] });
  configureAuth({ hashers: [fast], throttle: { perUser: 50, perAddress: 500 } });
  await syncPermissions();
  await User.objects.create({ username: 'boss', password: await fast.encode('pw-boss-123'), isStaff: true, isSuperuser: true });
  const clerk = await User.objects.create({ username: 'clerk', password: await fast.encode('pw-clerk-123'), isStaff: true });
  // The clerk may edit questions and choices, but not see topics: the topic search must refuse them.
  for (const codename of ['view_question', 'change_question', 'add_question', 'view_choice', 'change_choice', 'add_choice']) {
    await clerk.userPermissions.add(await Permission.objects.get({ app: 'adminpolls', codename }));
  }
});
after(async () => {
  await db.drop();
  rmSync(appDir, { recursive: true, force: true });
  await closeDatabases();
});

const defaultSite = makeSite({
  apps: [adminApp],
  urls: [include('admin/', admin.urls)],
  settings: {
    TIME_ZONE: 'Pacific/Auckland',
    MIDDLEWARE: [...defaultMiddleware, sessionMiddleware({ store: new CacheSessionStore(new LocMemCache({ name: `admin-opts-${Math.random()}` })) }), messagesMiddleware(), authMiddleware()],
  },
});

class Browser {
  jar = new Map<string, string>();
  constructor(readonly site: Site = defaultSite) {}
  get cookie(): string { return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '); }
  take(res: Res): Res {
    for (const c of res.cookies) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const [k, v] = [pair!.slice(0, eq), pair!.slice(eq + 1)];
      if (/Max-Age=0/.test(c) || v === '') this.jar.delete(k); else this.jar.set(k, v);
    }
    return res;
  }
  async get(url: string): Promise<Res> { return this.take(await call(this.site, url, { headers: { cookie: this.cookie } })); }
  async token(): Promise<string> {
    // The login page before logging in; the index (its logout form) after.
    const find = async (url: string) => /name="csrfmiddlewaretoken" value="([^"]+)"/.exec((await this.get(url)).text())?.[1];
    return (await find('/admin/login/')) ?? (await find('/admin/')) ?? '';
  }
  async post(url: string, form: Record<string, string | string[]>): Promise<Res> {
    const body = new URLSearchParams();
    body.append('csrfmiddlewaretoken', await this.token());
    for (const [k, v] of Object.entries(form)) for (const item of [v].flat()) body.append(k, item);
    return this.take(await call(this.site, url, { method: 'POST', body: body.toString(), headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded' } }));
  }
  static async as(username: string, password: string, site?: Site): Promise<Browser> {
    const b = new Browser(site);
    const res = await b.post('/admin/login/', { username, password, next: '/admin/' });
    assert.equal(res.status, 302, `login as ${username}`);
    return b;
  }
}

/** The form a browser would post for a question and its inline rows. */
function questionForm(q: Record<string, string>, choices: Array<Record<string, string>>, initialChoices = 0, notes: Array<Record<string, string>> = [], initialNotes = 0): Record<string, string> {
  const out: Record<string, string> = { questionText: '', pubDate: '2026-03-01T10:00', status: 'open', topic: '', ...q };
  out['choices-TOTAL_FORMS'] = String(choices.length);
  out['choices-INITIAL_FORMS'] = String(initialChoices);
  choices.forEach((c, i) => { for (const [k, v] of Object.entries(c)) out[`choices-${i}-${k}`] = v; });
  out['questionNotes-TOTAL_FORMS'] = String(notes.length);
  out['questionNotes-INITIAL_FORMS'] = String(initialNotes);
  notes.forEach((c, i) => { for (const [k, v] of Object.entries(c)) out[`questionNotes-${i}-${k}`] = v; });
  return out;
}

test('registering checks names: unknown fields, fields with fieldsets, a date hierarchy on text, an autocomplete on a non-key, an inline without a key', () => {
  const a = new AdminSite();
  assert.throws(() => a.register(Entry, { fieldsets: [[null, { fields: ['nope'] }]] }), (e: Error) => e instanceof ImproperlyConfigured && /'nope' is not a field of adminpolls.Entry. Fields: id, title/.test(e.message));
  assert.throws(() => a.register(Entry, { fields: ['title'], fieldsets: [[null, { fields: ['title'] }]] }), /not both/);
  assert.throws(() => a.register(Entry, { dateHierarchy: 'title' }), /takes a date or datetime field/);
  assert.throws(() => a.register(Entry, { autocompleteFields: ['title'] }), /only foreign keys/);
  assert.throws(() => a.register(Entry, { readonlyFields: ['missing'] }), /neither a field nor a method or getter/);
  assert.throws(() => a.register(Entry, { inlines: [tabularInline(Choice)] }), /has no foreign key to adminpolls.Entry/);
  assert.throws(() => a.register(Entry, { listFilter: ['title'] }), /filters take booleans, dates, foreign keys and fields with choices/);
  assert.throws(() => tabularInline(Choice, { minNum: 4, maxNum: 2 }), /minNum \(4\) is above maxNum \(2\)/);
});

test('plural names default sensibly: Entries and Boxes on the index, not Entrys', async () => {
  const b = await Browser.as('boss', 'pw-boss-123');
  const index = (await b.get('/admin/')).text();
  assert.match(index, />Entries<\/a>/);
  assert.match(index, />Boxes<\/a>/);
  assert.match(index, />Questions<\/a>/);
  assert.doesNotMatch(index, /Entrys|Boxs/);
});

test('fieldsets: named groups with a description, fields side by side, a collapsed group, read-only values (a method too) outside the form', async () => {
  const b = await Browser.as('boss', 'pw-boss-123');
  const q = await Question.objects.create({ questionText: 'What is up?', pubDate: new Date('2026-02-01T09:00:00Z'), secret: 's3cret' });
  const page = (await b.get(`/admin/adminpolls/question/${q.id}/change/`)).text();
  assert.match(page, /<div class="form-row multi">[\s\S]*?name="status"[\s\S]*?name="featured"[\s\S]*?<\/div>\n<\/div>/, 'status and featured share a line');
  assert.match(page, /<fieldset class="module collapse"><details><summary>Date information<\/summary><p class="description">When the poll opens.<\/p>/);
  assert.match(page, /<h2>Internals<\/h2>/);
  assert.match(page, /<span class="label">Secret<\/span><div class="readonly-value">s3cret<\/div>/);
  assert.match(page, /<span class="label">Shouting<\/span><div class="readonly-value">WHAT IS UP\?<\/div>/);
  assert.match(page, new RegExp(`<span class="label">Choice count</span><div class="readonly-value">id ${q.id}</div>`));
  assert.doesNotMatch(page, /name="secret"/, 'a read-only field is not an input');
  assert.doesNotMatch(page, /name="notes"/, 'a field outside the fieldsets is not in the form');
  const forged = await b.post(`/admin/adminpolls/question/${q.id}/change/`, { ...questionForm({ questionText: 'Still up?' }, []), secret: 'forged', notes: 'forged' });
  assert.equal(forged.status, 302, forged.text().slice(0, 3000));
  const after = await Question.objects.get({ id: q.id });
  assert.equal(after.questionText, 'Still up?');
  assert.equal(after.secret, 's3cret', 'a forged read-only value is ignored');
  assert.equal(after.notes, '', 'a forged value for a field outside the form is ignored');
  // A collapsed group with an error opens.
  const bad = await b.post(`/admin/adminpolls/question/${q.id}/change/`, questionForm({ questionText: 'x', pubDate: 'not a date' }, []));
  assert.equal(bad.status, 400);
  assert.match(bad.text(), /<details open><summary>Date information/);
  assert.match(bad.text(), /Please correct the errors below/);
});

test('inlines: a question is added with its choices in one form; empty extra rows are skipped', async () => {
  const b = await Browser.as('boss', 'pw-boss-123');
  const add = (await b.get('/admin/adminpolls/question/add/')).text();
  assert.match(add, /name="choices-TOTAL_FORMS" id="id_choices-TOTAL_FORMS" value="3"/);
  assert.match(add, /name="choices-INITIAL_FORMS" id="id_choices-INITIAL_FORMS" value="0"/);
  assert.match(add, /name="choices-2-choiceText"/);
  assert.doesNotMatch(add, /name="choices-3-choiceText"/);
  assert.match(add, /<template class="empty-form">[\s\S]*name="choices-__prefix__-choiceText"/);
  assert.match(add, /<section class="card inline-group stacked" id="questionNotes-group"/);
  assert.match(add, /<script src="\/static\/admin\/js\/admin.js" defer><\/script>/);
  assert.doesNotMatch(add, /<script>|onclick=|onchange=/, 'no inline script or handler (strict CSP)');
  const res = await b.post('/admin/adminpolls/question/add/', questionForm({ questionText: 'Tea or coffee?' },
    [{ choiceText: 'Tea', votes: '0' }, { choiceText: 'Coffee', votes: '2' }, { choiceText: '', votes: '0' }]));
  assert.equal(res.status, 302, res.text().slice(0, 3000));
  const q = await Question.objects.get({ questionText: 'Tea or coffee?' });
  const choices = await Choice.objects.filter({ questionId: q.id }).orderBy('id');
  assert.deepEqual(choices.map((c) => [c.choiceText, c.votes]), [['Tea', 0], ['Coffee', 2]]);
  const history = (await b.get(`/admin/adminpolls/question/${q.id}/history/`)).text();
  assert.match(history, /Added. Added choice “Tea”. Added choice “Coffee”./);
});

test('inlines: change, delete and add rows at once; a forged row key of another question is refused and touches nothing', async () => {
  const b = await Browser.as('boss', 'pw-boss-123');
  const q = await Question.objects.create({ questionText: 'Best season?', pubDate: new Date('2026-01-10T10:00:00Z') });
  const [spring, summer] = [await Choice.objects.create({ question: q, choiceText: 'Spring' }), await Choice.objects.create({ question: q, choiceText: 'Summer' })];
  const other = await Question.objects.create({ questionText: 'Other', pubDate: new Date('2026-01-10T10:00:00Z') });
  const foreign = await Choice.objects.create({ question: other, choiceText: 'Not yours' });
  const page = (await b.get(`/admin/adminpolls/question/${q.id}/change/`)).text();
  assert.match(page, new RegExp(`name="choices-0-id" value="${spring.id}"`));
  assert.match(page, /name="choices-0-DELETE"/);
  const res = await b.post(`/admin/adminpolls/question/${q.id}/change/`, questionForm({ questionText: 'Best season?' }, [
    { id: String(spring.id), choiceText: 'Spring', votes: '7' },
    { id: String(summer.id), choiceText: 'Summer', votes: '0', DELETE: 'on' },
    { choiceText: 'Autumn', votes: '1' },
  ], 2));
  assert.equal(res.status, 302, res.text().slice(0, 3000));
  const rows = await Choice.objects.filter({ questionId: q.id }).orderBy('id');
  assert.deepEqual(rows.map((c) => [c.choiceText, c.votes]), [['Spring', 7], ['Autumn', 1]]);
  const history = (await b.get(`/admin/adminpolls/question/${q.id}/history/`)).text();
  assert.match(history, /Changed votes for choice “Spring”. Deleted choice “Summer”. Added choice “Autumn”./);
  const entry = await LogEntry.objects.filter({ objectId: String(q.id) }).orderBy('-id').first();
  assert.deepEqual(JSON.parse(entry!.changeMessage), [
    { changed: { fields: ['date published'] } },
    { changed: { name: 'choice', object: 'Spring', fields: ['votes'] } }, { deleted: { name: 'choice', object: 'Summer' } }, { added: { name: 'choice', object: 'Autumn' } },
  ]);
  // Another question's row, by its key: refused, and neither edited nor deleted.
  const forged = await b.post(`/admin/adminpolls/question/${q.id}/change/`, questionForm({ questionText: 'Best season?' }, [
    { id: String(foreign.id), choiceText: 'Hijacked', votes: '99', DELETE: 'on' },
  ], 1));
  assert.equal(forged.status, 400);
  assert.match(forged.text(), /A choice in this form no longer exists or belongs elsewhere/);
  const untouched = await Choice.objects.get({ id: foreign.id });
  assert.equal(untouched.choiceText, 'Not yours');
  assert.equal(untouched.questionId, other.id);
});

test('inlines: one invalid row shows its error in that row and nothing at all is saved (one transaction)', async () => {
  const b = await Browser.as('boss', 'pw-boss-123');
  const q = await Question.objects.create({ questionText: 'Cats or dogs?', pubDate: new Date('2026-01-11T10:00:00Z') });
  const cats = await Choice.objects.create({ question: q, choiceText: 'Cats' });
  const res = await b.post(`/admin/adminpolls/question/${q.id}/change/`, questionForm({ questionText: 'Renamed?' }, [
    { id: String(cats.id), choiceText: 'Cats!', votes: '3' },
    { choiceText: 'Dogs', votes: 'many' },
    { choiceText: '', votes: '5' },
  ], 1));
  assert.equal(res.status, 400);
  const html = res.text();
  assert.match(html, /<tr class="form-row new" id="choices-1">[\s\S]*?<ul class="errorlist" id="id_choices-1-votes_error"><li>Enter a whole number.<\/li><\/ul>/);
  assert.match(html, /<tr class="form-row new" id="choices-2">[\s\S]*?id="id_choices-2-choiceText_error"><li>This field is required.<\/li>/, 'a row with only votes is not empty: its text is required');
  assert.match(html, /value="Dogs"/, 'what was typed is kept');
  assert.equal((await Question.objects.get({ id: q.id })).questionText, 'Cats or dogs?');
  assert.equal((await Choice.objects.get({ id: cats.id })).choiceText, 'Cats');
  assert.equal(await Choice.objects.filter({ questionId: q.id }).count(), 1);
  // Missing management data: a clear error, nothing saved.
  const { 'choices-TOTAL_FORMS': _t, ...noManagement } = questionForm({ questionText: 'Renamed?' }, []);
  const broken = await b.post(`/admin/adminpolls/question/${q.id}/change/`, noManagement);
  assert.equal(broken.status, 400);
  assert.match(broken.text(), /The form was incomplete or changed on the way \(the choice rows are missing\)/);
  assert.equal((await Question.objects.get({ id: q.id })).questionText, 'Cats or dogs?');
});

test('inlines: minNum and maxNum are enforced', async () => {
  const a = new AdminSite({ prefix: '/admin/' });
  a.register(Question, { inlines: [tabularInline(Choice, { minNum: 2, maxNum: 3, extra: 0 })] });
  const strict = makeSite({ apps: [adminApp], urls: [include('admin/', a.urls)], settings: defaultSite.settings });
  const s = await Browser.as('boss', 'pw-boss-123', strict);
  const add = (await s.get('/admin/adminpolls/question/add/')).text();
  assert.match(add, /name="choices-TOTAL_FORMS" id="id_choices-TOTAL_FORMS" value="2"/, 'minNum rows are offered');
  const form = (choices: Array<Record<string, string>>) => ({ ...questionForm({ questionText: 'Min?' }, choices), notes: '', secret: '', featured: '' });
  const few = await s.post('/admin/adminpolls/question/add/', form([{ choiceText: 'only one', votes: '0' }]));
  assert.equal(few.status, 400);
  assert.match(few.text(), /Please submit at least 2 choices./);
  assert.equal(await Question.objects.filter({ questionText: 'Min?' }).exists(), false, 'nothing saved');
  // Through the main admin: maxNum 5 caps the rows read and the rows kept.
  const b = await Browser.as('boss', 'pw-boss-123');
  const six = Array.from({ length: 6 }, (_, i) => ({ choiceText: `c${i}`, votes: '0' }));
  const res = await b.post('/admin/adminpolls/question/add/', questionForm({ questionText: 'Too many?' }, six));
  assert.equal(res.status, 302, 'rows past maxNum are not read');
  const q = await Question.objects.get({ questionText: 'Too many?' });
  assert.equal(await Choice.objects.filter({ questionId: q.id }).count(), 5);
  const page = (await b.get(`/admin/adminpolls/question/${q.id}/change/`)).text();
  assert.match(page, /name="choices-TOTAL_FORMS" id="id_choices-TOTAL_FORMS" value="5"/, 'no extra row past maxNum');
});

test('date filters: Today, Past 7 days, This month, This year and a range, in the site\'s time zone; a bad date is refused', async () => {
  const b = await Browser.as('boss', 'pw-boss-123');
  await Question.objects.filter({ questionText__startswith: 'dated-' }).delete();
  const now = new Date();
  const at = (days: number) => new Date(now.getTime() + days * 86_400_000);
  await Question.objects.create({ questionText: 'dated-now', pubDate: now });
  await Question.objects.create({ questionText: 'dated-3-days-ago', pubDate: at(-3) });
  await Question.objects.create({ questionText: 'dated-400-days-ago', pubDate: at(-400) });
  const list = (await b.get('/admin/adminpolls/question/?q=dated-')).text();
  const link = (label: string) => (new RegExp(`<a href="([^"]+)"(?: class="selected" aria-current="true")?>${label}</a>`).exec(list)?.[1] ?? '').replace(/&amp;/g, '&');
  const count = async (url: string) => Number(/(\d+) questions?</.exec((await b.get(`/admin/adminpolls/question/${url}`)).text())?.[1]);
  assert.equal(await count(link('Today')), 1);
  assert.equal(await count(link('Past 7 days')), 2);
  assert.equal(await count(link('This year')) >= 1, true);
  assert.equal(await count(link('Any date')), 3);
  assert.match(link('Today'), /pubDate__gte=\d{4}-\d{2}-\d{2}&pubDate__lt=\d{4}-\d{2}-\d{2}/);
  // Today is the site zone's (Pacific/Auckland) day.
  const aucklandToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Auckland', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  assert.match(link('Today'), new RegExp(`pubDate__gte=${aucklandToday}`));
  const day = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Auckland', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  assert.equal(await count(`?q=dated-&pubDate__gte=${day(at(-401))}&pubDate__lte=${day(at(-2))}`), 2, 'the range includes its last day');
  assert.match(list, /<form method="get" class="range"><input type="hidden" name="q" value="dated-">/, 'the range form keeps the search');
  assert.match(list, /<input type="date" id="id_pubDate__gte" name="pubDate__gte" value="">/);
  assert.equal((await b.get('/admin/adminpolls/question/?pubDate__gte=2026-02-30')).status, 404);
  assert.equal((await b.get('/admin/adminpolls/question/?pubDate__gte=yesterday')).status, 404);
});

test('choice, boolean and foreign-key filters list their values', async () => {
  const b = await Browser.as('boss', 'pw-boss-123');
  const topic = await Topic.objects.create({ name: 'Food' });
  await Question.objects.create({ questionText: 'filtered-food', pubDate: new Date(), topic, featured: true, status: 'closed' });
  const list = (await b.get('/admin/adminpolls/question/')).text();
  assert.match(list, /<h3>By status<\/h3><ul><li><a href="\?" class="selected" aria-current="true">All<\/a><\/li><li><a href="\?status=open">Open<\/a><\/li><li><a href="\?status=closed">Closed<\/a><\/li><\/ul>/);
  assert.match(list, /<h3>By featured<\/h3><ul>.*<a href="\?featured=1">Yes<\/a>.*<a href="\?featured=0">No<\/a>/);
  assert.match(list, new RegExp(`<a href="\\?topic=${topic.id}">Food</a>`));
  assert.match(list, /<a href="\?topic__isnull=1">None<\/a>/);
  const byTopic = (await b.get(`/admin/adminpolls/question/?topic=${topic.id}&status=closed&featured=1`)).text();
  assert.match(byTopic, /1 question</);
  assert.match(byTopic, /filtered-food/);
});

test('date hierarchy: years, then the months of a year, then its days', async () => {
  const b = await Browser.as('boss', 'pw-boss-123');
  await Question.objects.create({ questionText: 'h-2019', pubDate: new Date('2019-05-20T00:00:00Z') });
  await Question.objects.create({ questionText: 'h-2019b', pubDate: new Date('2019-05-03T00:00:00Z') });
  const top = (await b.get('/admin/adminpolls/question/')).text();
  assert.match(top, /<nav class="date-hierarchy toolbar" aria-label="Dates">.*<a href="\?pubDate__year=2019">2019<\/a>/);
  const year = (await b.get('/admin/adminpolls/question/?pubDate__year=2019')).text();
  assert.match(year, /<a href="\?">‹ All dates<\/a><a href="\?pubDate__year=2019&amp;pubDate__month=5">May 2019<\/a>/);
  assert.match(year, /2 questions</);
  // In Pacific/Auckland, 2019-05-20T00:00Z is the 20th at noon, 2019-05-03T00:00Z the 3rd.
  const month = (await b.get('/admin/adminpolls/question/?pubDate__year=2019&pubDate__month=5')).text();
  assert.match(month, /<a href="\?pubDate__year=2019">‹ 2019<\/a><a href="[^"]+pubDate__day=3">May 3<\/a><a href="[^"]+pubDate__day=20">May 20<\/a>/);
  assert.match((await b.get('/admin/adminpolls/question/?pubDate__year=2019&pubDate__month=5&pubDate__day=20')).text(), /1 question</);
  assert.equal((await b.get('/admin/adminpolls/question/?pubDate__year=2019&pubDate__month=13')).status, 404);
});

test('autocomplete: the picker holds only the current choice; the JSON search uses the related admin\'s searchFields and checks permissions', async () => {
  const boss = await Browser.as('boss', 'pw-boss-123');
  for (const name of ['Sport', 'Spirits', 'Space', 'Music']) await Topic.objects.create({ name });
  const sport = await Topic.objects.get({ name: 'Sport' });
  const q = await Question.objects.create({ questionText: 'Auto?', pubDate: new Date(), topic: sport });
  const page = (await boss.get(`/admin/adminpolls/question/${q.id}/change/`)).text();
  const select = /<select name="topic"[^>]*>.*?<\/select>/.exec(page)?.[0] ?? '';
  assert.match(select, /data-autocomplete-url="\/admin\/autocomplete\/\?app=adminpolls&amp;model=question&amp;field=topic"/);
  assert.match(select, new RegExp(`<option value="${sport.id}" selected>Sport</option>`));
  assert.doesNotMatch(select, /Music/, 'other topics are not listed in the page');
  const res = await boss.get('/admin/autocomplete/?app=adminpolls&model=question&field=topic&term=sp');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'] ?? '', /application\/json/);
  const body = JSON.parse(res.text()) as { results: Array<{ id: string; text: string }>; pagination: { more: boolean } };
  assert.deepEqual(body.results.map((r) => r.text).sort(), ['Space', 'Spirits', 'Sport']);
  assert.equal(body.pagination.more, false);
  // An inline's own autocomplete field answers too.
  assert.equal((await boss.get('/admin/autocomplete/?app=adminpolls&model=note&field=topic&term=mus')).status, 200);
  // Not listed in autocompleteFields, or unknown: 404. Anonymous: to the login page. No view permission on topics: 403.
  assert.equal((await boss.get('/admin/autocomplete/?app=adminpolls&model=choice&field=question&term=a')).status, 404);
  assert.equal((await new Browser().get('/admin/autocomplete/?app=adminpolls&model=question&field=topic&term=sp')).status, 302);
  const clerk = await Browser.as('clerk', 'pw-clerk-123');
  assert.equal((await clerk.get('/admin/autocomplete/?app=adminpolls&model=question&field=topic&term=sp')).status, 403);
  // Any existing key is accepted (the page never listed it); a missing one is a form error.
  const music = await Topic.objects.get({ name: 'Music' });
  const ok = await boss.post(`/admin/adminpolls/question/${q.id}/change/`, questionForm({ questionText: 'Auto?', topic: String(music.id) }, []));
  assert.equal(ok.status, 302, ok.text().slice(0, 2000));
  assert.equal((await Question.objects.get({ id: q.id })).topicId, music.id);
  const missing = await boss.post(`/admin/adminpolls/question/${q.id}/change/`, questionForm({ questionText: 'Auto?', topic: '987654' }, []));
  assert.equal(missing.status, 400);
  assert.match(missing.text(), /Select a valid choice. That choice is not one of the available choices./);
  const script = defaultSite.staticFiles.lookup('admin/js/admin.js');
  assert.ok(script, 'the script is a static file of the admin');
  assert.match(readFileSync(script.file, 'utf8'), /data-autocomplete-url/);
});

test('custom actions: one that asks first shows the objects and runs only when confirmed; one may answer with its own response', async () => {
  const b = await Browser.as('boss', 'pw-boss-123');
  const q1 = await Question.objects.create({ questionText: 'act-1', pubDate: new Date() });
  const q2 = await Question.objects.create({ questionText: 'act-2', pubDate: new Date() });
  const list = (await b.get('/admin/adminpolls/question/')).text();
  assert.match(list, /<option value="close">Close the selected polls<\/option>/);
  const ask = await b.post('/admin/adminpolls/question/', { action: 'close', _selected: [String(q1.id), String(q2.id)] });
  assert.equal(ask.status, 200);
  assert.match(ask.text(), /Are you sure you want to run “Close the selected polls” on these questions\?/);
  assert.match(ask.text(), /<li>act-1<\/li><li>act-2<\/li>|<li>act-2<\/li><li>act-1<\/li>/);
  assert.match(ask.text(), /<input type="hidden" name="action" value="close"><input type="hidden" name="confirm" value="yes">/);
  assert.equal((await Question.objects.get({ id: q1.id })).status, 'open', 'nothing ran yet');
  const done = await b.post('/admin/adminpolls/question/', { action: 'close', confirm: 'yes', _selected: [String(q1.id), String(q2.id)] });
  assert.equal(done.status, 302);
  assert.equal((await Question.objects.get({ id: q1.id })).status, 'closed');
  assert.match((await b.get('/admin/adminpolls/question/')).text(), /Closed 2 polls./);
  assert.match((await b.get(`/admin/adminpolls/question/${q1.id}/history/`)).text(), /Action: Close the selected polls/);
  const exported = await b.post('/admin/adminpolls/question/', { action: 'export', _selected: String(q2.id) });
  assert.equal(exported.status, 200);
  assert.deepEqual(JSON.parse(exported.text()), ['act-2']);
  // The clerk has no delete permission: "Delete selected" is not offered, and posting it is refused.
  const clerk = await Browser.as('clerk', 'pw-clerk-123');
  assert.doesNotMatch((await clerk.get('/admin/adminpolls/question/')).text(), /delete_selected/);
  assert.equal((await clerk.post('/admin/adminpolls/question/', { action: 'delete_selected', confirm: 'yes', _selected: String(q1.id) })).status, 403);
});

test('the history page lists who did what and when, in order, for adds, changes, inline rows and deletes', async () => {
  const b = await Browser.as('boss', 'pw-boss-123');
  await b.post('/admin/adminpolls/question/add/', questionForm({ questionText: 'History?' }, [{ choiceText: 'Yes', votes: '0' }]));
  const q = await Question.objects.get({ questionText: 'History?' });
  const yes = await Choice.objects.get({ questionId: q.id });
  await b.post(`/admin/adminpolls/question/${q.id}/change/`, questionForm({ questionText: 'History!' }, [{ id: String(yes.id), choiceText: 'Yes', votes: '0', DELETE: 'on' }], 1));
  await b.post(`/admin/adminpolls/question/${q.id}/change/`, questionForm({ questionText: 'History!' }, [], 0));
  const html = (await b.get(`/admin/adminpolls/question/${q.id}/history/`)).text();
  const rows = [...html.matchAll(/<tr><td><time datetime="[^"]+">[^<]+<\/time><\/td><td>(\w+)<\/td><td>(\w+)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => [m[1], m[2], m[3]]);
  assert.deepEqual(rows, [
    ['boss', 'Added', 'Added. Added choice “Yes”.'],
    ['boss', 'Changed', 'Changed question text. Deleted choice “Yes”.'],
    ['boss', 'Changed', 'No fields changed.'],
  ]);
  // A deleted object's history stays in the log (its page is gone with it).
  await b.post('/admin/adminpolls/question/', { action: 'delete_selected', confirm: 'yes', _selected: String(q.id) });
  const deleted = await LogEntry.objects.filter({ objectId: String(q.id), contentType: 'adminpolls.question' }).orderBy('-id').first();
  assert.equal(deleted?.actionFlag, 3);
  assert.equal(describeChange(deleted!.changeMessage), 'Deleted.');
  assert.equal(deleted?.objectRepr, 'History!');
  const clerk = await Browser.as('clerk', 'pw-clerk-123');
  const clerkView = (await clerk.get(`/admin/adminpolls/question/${q.id}/change/`)).text();
  assert.doesNotMatch(clerkView, /questionNotes-group/, 'an inline the user may not see is not shown');
  assert.doesNotMatch(clerkView, /name="choices-0-DELETE"|Delete\?/, 'no delete boxes without the delete permission');
});

test('the new pages speak French and German like the rest of the admin', async () => {
  for (const [language, words] of [['fr', ['Toutes les dates', 'Les 7 derniers jours', 'Enregistrer et continuer les modifications', 'Ajouter un objet choice supplémentaire']],
    ['de', ['Alle Daten', 'Letzte 7 Tage', 'Sichern und weiter bearbeiten', 'Weiteres Objekt choice hinzufügen']]] as const) {
    const translated = makeSite({ apps: [adminApp], urls: [include('admin/', admin.urls)], settings: { ...defaultSite.settings, LANGUAGE_CODE: language } });
    const b = await Browser.as('boss', 'pw-boss-123', translated);
    const pages = (await b.get('/admin/adminpolls/question/')).text() + (await b.get('/admin/adminpolls/question/add/')).text();
    for (const w of words) assert.ok(pages.includes(w), `${language}: ${w}`);
  }
});
