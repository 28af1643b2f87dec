// A real browser (Debian's chromium via playwright-core) logs into the admin, creates a post through the add form,
// sees it in the change list (screenshot saved to test-output/screenshots/), on the site and in its feed; then edits a
// question with its choices inline (adding rows with the admin's script, picking a topic by searching) under a strict
// Content-Security-Policy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import {
  defaultMiddleware, defineSite, Feed, include, path, Response, Site, fields, makeMigrations, migrate, model,
  type Instance, type Middleware,
} from '@paddock/runtime';
import { createServer, type SiteServer } from '@paddock/runtime/host';
import { LocMemCache } from '@paddock/runtime/cache';
import { escapeHtml } from '@paddock/runtime/forms';
import { CacheSessionStore, sessionMiddleware } from '@paddock/runtime/contrib/sessions';
import { messagesMiddleware } from '@paddock/runtime/contrib/messages';
import { authApp, authMiddleware, configureAuth, createSuperuser, PBKDF2PasswordHasher } from '@paddock/runtime/contrib/auth';
import { adminApp, AdminSite, registerAuthAdmin, tabularInline } from '@paddock/runtime/contrib/admin';
import { TEST_SECRET } from '../../helpers/site.js';
import { testDatabase } from '../helpers/db.js';

const Post = model('adminblog.Post', {
  id: fields.auto(),
  title: fields.char({ maxLength: 200 }),
  body: fields.text(),
  published: fields.boolean({ default: false }),
}, { ordering: ['-id'] });
type PostI = Instance<typeof Post>;
const Topic = model('adminblog.Topic', { id: fields.auto(), name: fields.char({ maxLength: 100 }) });
const Question = model('adminblog.Question', {
  id: fields.auto(),
  questionText: fields.char({ maxLength: 200 }),
  pubDate: fields.datetime({ verboseName: 'date published' }),
  topic: fields.foreignKey('adminblog.Topic', { onDelete: 'setNull', null: true, blank: true }),
});
const Choice = model('adminblog.Choice', {
  id: fields.auto(),
  question: fields.foreignKey('adminblog.Question', { onDelete: 'cascade', relatedName: 'choices' }),
  choiceText: fields.char({ maxLength: 200 }),
  votes: fields.integer({ default: 0 }),
});

/** What a site with a strict policy sends: scripts and styles from its own origin only, nothing inline. */
const STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const strictCsp: Middleware = (getResponse) => async (req) => {
  const res = await getResponse(req);
  res.setHeader('content-security-policy', STRICT_CSP);
  return res;
};

class LatestPosts extends Feed<PostI> {
  override title = 'Blog';
  override link = '/';
  override description = 'New posts';
  items() { return Post.objects.filter({ published: true }).limit(20); }
  itemTitle(p: PostI) { return p.title; }
  itemLink(p: PostI) { return `/posts/${p.id}/`; }
}

const screenshotDir = join(fileURLToPath(new URL('../../../../', import.meta.url)), 'test-output', 'screenshots');
const chromiumPath = process.env.PADDOCK_CHROMIUM ?? '/usr/bin/chromium';
let db: Awaited<ReturnType<typeof testDatabase>>;
let dir: string;
let server: SiteServer;
let browser: Browser;
let base = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pdk-adminblog-'));
  await makeMigrations({ apps: [{ label: 'adminblog', dir }] });
  db = await testDatabase([authApp, adminApp]);
  await migrate({ apps: [authApp, adminApp, { label: 'adminblog', dir }] });
  configureAuth({ hashers: [new PBKDF2PasswordHasher({ iterations: 1000 })] });
  await createSuperuser({ username: 'editor', password: 'violet-harbour-77', email: 'editor@example.com' });
  const admin = new AdminSite({ title: 'Blog administration' });
  admin.register(Post, { listDisplay: ['title', 'published'], search: ['title'], listFilter: ['published'], repr: (p) => String(p.title) });
  admin.register(Topic, { searchFields: ['name'], repr: (t) => String(t.name) });
  admin.register(Question, {
    listDisplay: ['questionText', 'pubDate'],
    listFilter: ['pubDate', 'topic'],
    dateHierarchy: 'pubDate',
    fieldsets: [[null, { fields: ['questionText'] }], ['Date information', { fields: ['pubDate', 'topic'] }]],
    autocompleteFields: ['topic'],
    inlines: [tabularInline(Choice, { extra: 3, fields: ['choiceText', 'votes'] })],
    repr: (q) => String(q.questionText),
  });
  admin.register(Choice, { repr: (c) => String(c.choiceText) });
  for (const name of ['Sport', 'Science', 'Music']) await Topic.objects.create({ name });
  registerAuthAdmin(admin);
  const site = new Site(defineSite({
    apps: [adminApp],
    urls: [
      path('', async () => new Response(`<!doctype html><title>Blog</title><h1>Blog</h1>${(await Post.objects.filter({ published: true }))
        .map((p) => `<article><h2>${escapeHtml(p.title)}</h2><p>${escapeHtml(p.body)}</p></article>`).join('')}`)),
      path('feed/', new LatestPosts()),
      include('admin/', admin.urls),
    ],
    settings: {
      SECRET_KEY: TEST_SECRET, ALLOWED_HOSTS: ['127.0.0.1'],
      MIDDLEWARE: [strictCsp, ...defaultMiddleware, sessionMiddleware({ store: new CacheSessionStore(new LocMemCache({ name: 'browser' })) }), messagesMiddleware(), authMiddleware()],
    },
  }), { dir: process.cwd(), env: {} });
  server = createServer(site);
  base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('an editor logs into the admin, adds a post, sees it in the change list, on the site and in the feed', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await page.goto(`${base}/admin/`);
  assert.match(page.url(), /\/admin\/login\/\?next=/);
  await page.getByLabel('Username').fill('editor');
  await page.getByLabel('Password').fill('violet-harbour-77');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${base}/admin/`);
  await page.getByRole('link', { name: 'Posts' }).click();
  await page.getByRole('link', { name: 'Add post' }).click();
  await page.getByLabel('Title').fill('Hello from the admin');
  await page.getByLabel('Body').fill('Written in a real browser.');
  await page.getByLabel('Published').check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForURL(`${base}/admin/adminblog/post/`);
  assert.match(await page.locator('.messages').innerText(), /was added successfully/);
  assert.equal(await page.getByRole('link', { name: 'Hello from the admin' }).count(), 1);
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, 'admin-changelist.png'), fullPage: true });
  await page.goto(`${base}/`);
  assert.match(await page.locator('article').innerText(), /Hello from the admin/);
  const feed = await (await fetch(`${base}/feed/`)).text();
  assert.match(feed, /<title>Hello from the admin<\/title>/);
  await page.close();
});

test('an editor adds a question with its choices inline (rows added by the script, a topic found by searching), then changes and deletes choices; a bad row stops the save', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const violations: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text()); });
  page.on('pageerror', (e) => violations.push(String(e)));
  await page.goto(`${base}/admin/login/`);
  await page.getByLabel('Username').fill('editor');
  await page.getByLabel('Password').fill('violet-harbour-77');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${base}/admin/`);
  const csp = (await page.request.get(`${base}/admin/adminblog/question/add/`)).headers()['content-security-policy'];
  assert.equal(csp, STRICT_CSP);
  await page.goto(`${base}/admin/adminblog/question/add/`);
  await page.getByLabel('Question text').fill('What do you like?');
  await page.getByLabel('Date published').fill('2026-03-01T10:00');
  // The search box the script put above the topic picker asks the admin's JSON search.
  await page.getByRole('searchbox', { name: 'Type to search' }).fill('spo');
  await page.locator('select[name="topic"] option:checked', { hasText: 'Sport' }).waitFor({ state: 'attached' });
  const rows = page.locator('#choices-group tbody tr.form-row');
  assert.equal(await rows.count(), 3);
  await page.getByRole('button', { name: 'Add another choice' }).click();
  assert.equal(await rows.count(), 4);
  assert.equal(await page.locator('input[name="choices-TOTAL_FORMS"]').inputValue(), '4');
  await page.locator('input[name="choices-0-choiceText"]').fill('Yes');
  await page.locator('input[name="choices-1-choiceText"]').fill('No');
  await page.locator('input[name="choices-3-choiceText"]').fill('Maybe');
  await page.locator('input[name="choices-3-votes"]').fill('2');
  await page.getByRole('button', { name: 'Save and continue editing' }).click();
  await page.waitForURL(/\/admin\/adminblog\/question\/\d+\/change\/$/);
  assert.match(await page.locator('.messages').innerText(), /was saved successfully. You may edit it again below/);
  const q = await Question.objects.get({ questionText: 'What do you like?' });
  assert.equal((await Topic.objects.get({ id: q.topicId! })).name, 'Sport');
  const saved = async () => (await Choice.objects.filter({ questionId: q.id }).orderBy('id')).map((c) => `${c.choiceText}:${c.votes}`);
  assert.deepEqual(await saved(), ['Yes:0', 'No:0', 'Maybe:2']);
  // Change one row, delete one, and leave a required field empty in another: nothing is saved, the row says why.
  await page.locator('input[name="choices-0-votes"]').fill('5');
  await page.getByRole('checkbox', { name: 'Delete No' }).check();
  await page.locator('input[name="choices-2-choiceText"]').fill('');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForSelector('.errornote');
  assert.match(await page.locator('#choices-2').innerText(), /This field is required/);
  assert.deepEqual(await saved(), ['Yes:0', 'No:0', 'Maybe:2'], 'one transaction: nothing was saved');
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, 'admin-inline-errors.png'), fullPage: true });
  await page.locator('input[name="choices-2-choiceText"]').fill('Perhaps');
  await page.getByRole('button', { name: 'Save and continue editing' }).click();
  await page.waitForSelector('.messages .success');
  assert.deepEqual(await saved(), ['Yes:5', 'Perhaps:2']);
  await page.screenshot({ path: join(screenshotDir, 'admin-inline.png'), fullPage: true });
  await page.getByRole('link', { name: 'History' }).click();
  assert.match(await page.locator('table').innerText(), /Changed votes for choice “Yes”. Deleted choice “No”. Changed choice text for choice “Perhaps”./);
  await page.goto(`${base}/admin/adminblog/question/`);
  await page.getByRole('navigation', { name: 'Dates' }).getByRole('link', { name: '2026' }).click();
  await page.getByRole('link', { name: 'March 2026' }).click();
  assert.match(await page.locator('main').innerText(), /1 question/);
  await page.getByRole('link', { name: 'Sport' }).click();
  assert.match(page.url(), /pubDate__year=2026&pubDate__month=3&topic=\d+/);
  await page.screenshot({ path: join(screenshotDir, 'admin-filters.png'), fullPage: true });
  assert.deepEqual(violations, [], 'no script or style was refused by the policy');
  await page.close();
});
