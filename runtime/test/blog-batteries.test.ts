import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { chromium } from 'playwright-core';
import pg from 'pg';
import { migrate, type Response, type Site } from '@paddock/runtime';
import { cachesFor } from '@paddock/runtime/cache';
import { authSettings, configureAuth, PBKDF2PasswordHasher, User } from '@paddock/runtime/contrib/auth';
import { closeDatabases, openDatabases, loadSite, createServer } from '@paddock/runtime/host';
import { Post } from '../starters/blog/blog/models.js';
import { call, csrfFrom, TEST_SECRET } from './helpers/site.js';
import { child, children, parseXml } from './helpers/xml.js';

// The blog starter with its batteries: login in front of the form, an admin for posts, and the list page cached in
// the site's Redis (CACHE_URL as a user confined to CACHE_KEY_PREFIX, as the platform sets them) and dropped when a
// post changes.
const BLOG = join(import.meta.dirname, '..', 'starters', 'blog');
const adminUrl = process.env.PADDOCK_PG_ADMIN_URL;
const cacheAdminUrl = process.env.PADDOCK_CACHE_ADMIN_URL;
const suffix = randomBytes(4).toString('hex');
const dbName = `rt_blogbat_${suffix}`;
const cachePrefix = `rt:blogbat:${suffix}:`;
const cacheUser = `rt_blogbat_${suffix}`;
const PASSWORD = 'batteries-pass-81c2e';
let admin: pg.Client;
let db: pg.Client;
let redis: Redis;
let site: Site;

type Jar = Map<string, string>;

function remember(jar: Jar, res: Response): void {
  for (const line of res.cookies) {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(pair.slice(0, eq)); else jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
}

/** A visitor with cookies, as a browser would keep them. */
async function get(url: string, jar: Jar = new Map()): Promise<Response> {
  const res = await call(site, url, { headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
  remember(jar, res);
  return res;
}

async function post(url: string, jar: Jar, fields: Record<string, string>, tokenFrom: Response): Promise<Response> {
  const { token } = csrfFrom(tokenFrom);
  assert.ok(token, `${url}: the page carried a CSRF token`);
  const res = await call(site, url, {
    method: 'POST', body: new URLSearchParams({ ...fields, csrfmiddlewaretoken: token }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
  });
  remember(jar, res);
  return res;
}

async function logIn(username: string, loginPath = '/accounts/login/'): Promise<Jar> {
  const jar: Jar = new Map();
  const res = await post(loginPath, jar, { username, password: PASSWORD }, await get(loginPath, jar));
  assert.equal(res.status, 302, `login as ${username}: ${res.text().slice(0, 300)}`);
  assert.ok(jar.has('sessionid'));
  return jar;
}

async function cacheKeys(): Promise<string[]> {
  return redis.keys(`${cachePrefix}*`);
}

before(async () => {
  assert.ok(adminUrl, 'PADDOCK_PG_ADMIN_URL is set (run npm run stack)');
  assert.ok(cacheAdminUrl, 'PADDOCK_CACHE_ADMIN_URL is set (run npm run stack)');
  admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  // What the platform hands a site: a cache user that may touch only keys under its prefix, and the prefix apart.
  redis = new Redis(cacheAdminUrl, { maxRetriesPerRequest: 2 });
  const cachePassword = randomBytes(16).toString('hex');
  await redis.call('ACL', 'SETUSER', cacheUser, 'reset', 'on', `>${cachePassword}`, `~${cachePrefix}*`, `&${cachePrefix}*`,
    '-@all', '+@read', '+@write', '+@keyspace', '+@string', '+@hash', '+@connection', '-@dangerous', '-@admin', '-@scripting');
  const cacheUrl = new URL(cacheAdminUrl);
  cacheUrl.username = cacheUser;
  cacheUrl.password = cachePassword;
  site = await loadSite(BLOG, { env: {
    DATABASE_URL: url.href, SECRET_KEY: TEST_SECRET, ALLOWED_HOSTS: 'testserver,127.0.0.1', CACHE_URL: cacheUrl.href, CACHE_KEY_PREFIX: cachePrefix,
  } });
  await openDatabases(site.settings, site.dir);
  await migrate({ apps: site.apps.map((a) => ({ label: a.label, dir: a.dir })) });
  db = new pg.Client({ connectionString: url.href });
  await db.connect();
  for (let i = 1; i <= 3; i++) {
    await db.query('INSERT INTO blog_post (title, slug, body, author, published) VALUES ($1, $2, $3, $4, $5)',
      [`Seed ${i}`, `seed-${i}`, `Seed body ${i}`, 'Ada', new Date(Date.UTC(2026, 0, i))]);
  }
  configureAuth({ hashers: [new PBKDF2PasswordHasher({ iterations: 1000 })] });
  const password = await authSettings().hashers.make(PASSWORD);
  await User.objects.create({ username: 'writer', email: '', password });
  await User.objects.create({ username: 'editor', email: '', password, isStaff: true, isSuperuser: true });
});

after(async () => {
  await cachesFor(site.settings).closeAll();
  const left = await cacheKeys();
  if (left.length) await redis.del(...left);
  await redis.call('ACL', 'DELUSER', cacheUser);
  redis.disconnect();
  await db.end();
  await closeDatabases();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
});

describe('blog starter with batteries', () => {
  it('sends anonymous visitors of /new/ to the login page and ignores their posts', async () => {
    const res = await get('/new/');
    assert.equal(res.status, 302);
    assert.equal(res.getHeader('location'), '/accounts/login/?next=%2Fnew%2F');
    // A valid CSRF token is not a login: the form still refuses.
    const jar: Jar = new Map();
    const loginPage = await get('/accounts/login/', jar);
    const sneaky = await post('/new/', jar, { title: 'Anon', slug: 'anon', body: 'x' }, loginPage);
    assert.equal(sneaky.status, 302);
    assert.match(sneaky.getHeader('location') ?? '', /^\/accounts\/login\//);
    assert.equal((await db.query("SELECT 1 FROM blog_post WHERE slug = 'anon'")).rowCount, 0);
  });

  it('serves the list from the site cache until a post changes', async () => {
    const first = await get('/');
    assert.equal(first.status, 200);
    assert.notEqual(first.getHeader('x-cache'), 'hit');
    assert.ok((await cacheKeys()).some((k) => k.includes('views.cache_page.blog.index.')), 'the page is stored in the site\'s Redis under its prefix');
    // Behind the ORM's back (no signal): a cached page cannot know, so it still lists the post without asking the database.
    await db.query("UPDATE blog_post SET title = 'Renamed in SQL' WHERE slug = 'seed-1'");
    const second = await get('/');
    assert.equal(second.getHeader('x-cache'), 'hit');
    assert.equal(second.text(), first.text());
    for (const res of [first, second]) assert.equal(res.getHeader('cache-control'), 'max-age=0', 'browsers ask again: only the server\'s copy is dropped');
    assert.ok(second.text().includes('Seed 1') && !second.text().includes('Renamed in SQL'));
    // A change through the ORM moves the generation on: the next request renders afresh.
    const seed3 = await Post.objects.filter({ slug: 'seed-3' }).first();
    assert.ok(seed3);
    await seed3.delete();
    const third = await get('/');
    assert.notEqual(third.getHeader('x-cache'), 'hit');
    assert.ok(third.text().includes('Renamed in SQL') && !third.text().includes('Seed 3'));
  });

  it('lets a logged-in writer publish through the form; the post shows on the list and in the feed', async () => {
    assert.equal((await get('/')).getHeader('x-cache'), 'hit', 'the list is cached before the post');
    const jar = await logIn('writer');
    const form = await get('/new/', jar);
    assert.equal(form.status, 200);
    const res = await post('/new/', jar, { title: 'From the form <i>', slug: 'from-the-form', body: 'Written logged in.', author: '' }, form);
    assert.equal(res.status, 302);
    assert.equal(res.getHeader('location'), '/from-the-form/');
    const detail = await get('/from-the-form/', jar);
    assert.match(detail.text(), /<h1>From the form &lt;i&gt;<\/h1>/);
    assert.match(detail.text(), /By writer,/, 'a blank name is the writer\'s username');
    assert.match(detail.text(), /Published “From the form &lt;i&gt;”\./, 'a flash message on the next page');
    assert.doesNotMatch((await get('/from-the-form/', jar)).text(), /Published “/, 'shown once');
    const list = await get('/');
    assert.notEqual(list.getHeader('x-cache'), 'hit');
    assert.match(list.text(), /href="\/from-the-form\/">From the form &lt;i&gt;</);
    const items = children(child(parseXml((await get('/feed/')).text()), 'channel')!, 'item');
    assert.equal(child(items[0]!, 'title')?.text, 'From the form <i>');
    assert.equal((await db.query('SELECT count(*)::int AS n FROM sessions_session')).rows[0].n >= 1, true, 'sessions live in the database');
  });

  it('keeps the admin for staff: anonymous and non-staff visitors are sent to its login, staff see and search posts', async () => {
    const anon = await get('/admin/blog/post/');
    assert.equal(anon.status, 302);
    assert.match(anon.getHeader('location') ?? '', /^\/admin\/login\/\?next=/);
    const writer = await logIn('writer');
    const refused = await get('/admin/blog/post/', writer);
    assert.equal(refused.status, 302, 'a logged-in user without staff status gets no admin');
    assert.match(refused.getHeader('location') ?? '', /^\/admin\/login\//);
    assert.equal((await logInRefused('writer')), true, 'the admin login refuses non-staff');

    const editor = await logIn('editor', '/admin/login/');
    const index = await get('/admin/', editor);
    assert.equal(index.status, 200);
    assert.match(index.text(), /href="\/admin\/blog\/post\/"/);
    const changelist = await get('/admin/blog/post/', editor);
    assert.equal(changelist.status, 200);
    const html = changelist.text();
    assert.ok(html.includes('From the form &lt;i&gt;') && !html.includes('From the form <i>'), 'titles listed, escaped');
    assert.ok(html.includes('seed-2') && html.includes('Ada'), 'slug and author columns');
    const found = (await get('/admin/blog/post/?q=written+logged', editor)).text();
    assert.ok(found.includes('from-the-form') && !found.includes('seed-2'), 'search reaches the body');
  });
});

/** The admin's own login form does not let a non-staff user in. */
async function logInRefused(username: string): Promise<boolean> {
  const jar: Jar = new Map();
  const res = await post('/admin/login/', jar, { username, password: PASSWORD, next: '/admin/' }, await get('/admin/login/', jar));
  return res.status !== 302 || !(res.getHeader('location') ?? '').startsWith('/admin/');
}

const chromiumPath = process.env.PADDOCK_CHROMIUM ?? '/usr/bin/chromium';
const screenshotDir = join(fileURLToPath(new URL('../../', import.meta.url)), 'test-output', 'screenshots');

describe('blog starter in a real browser', () => {
  it('an editor logs into the blog\'s admin, adds a post, and sees it in the change list, on the cached list page and in the feed', async () => {
    const server = createServer(site);
    const base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
    const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      await page.goto(`${base}/`);
      await page.goto(`${base}/`);
      assert.ok(!(await page.content()).includes('Hello from the browser'));
      await page.goto(`${base}/admin/`);
      assert.match(page.url(), /\/admin\/login\/\?next=/);
      await page.getByLabel('Username').fill('editor');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(`${base}/admin/`);
      await page.getByRole('link', { name: 'Posts' }).click();
      await page.getByRole('link', { name: 'Add post' }).click();
      await page.getByLabel('Title').fill('Hello from the browser');
      await page.getByLabel('Slug').fill('hello-from-the-browser');
      await page.getByLabel('Body').fill('Written in the blog\'s admin.');
      await page.getByLabel('Author').fill('Editor');
      await page.getByLabel('Published').fill('2026-02-01T09:30');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.waitForURL(`${base}/admin/blog/post/`);
      assert.match(await page.locator('.messages').innerText(), /was added successfully/);
      assert.equal(await page.getByRole('link', { name: 'Hello from the browser' }).count(), 1);
      mkdirSync(screenshotDir, { recursive: true });
      await page.screenshot({ path: join(screenshotDir, 'blog-admin-changelist.png'), fullPage: true });
      // The list page was cached before the post; saving it in the admin dropped that page.
      await page.goto(`${base}/`);
      assert.equal(await page.getByRole('link', { name: 'Hello from the browser' }).count(), 1);
      const feed = await (await fetch(`${base}/feed/`)).text();
      assert.match(feed, /<title>Hello from the browser<\/title>/);
      await page.close();
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
