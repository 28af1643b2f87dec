import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { migrate, type Response, type Site } from '@paddock/runtime';
import { authSettings, configureAuth, PBKDF2PasswordHasher, User } from '@paddock/runtime/contrib/auth';
import { closeDatabases, openDatabases, loadSite } from '@paddock/runtime/host';
import { call, csrfFrom, TEST_SECRET } from './helpers/site.js';
import { child, children, parseXml } from './helpers/xml.js';

const BLOG = join(import.meta.dirname, '..', 'starters', 'blog');
const adminUrl = process.env.PADDOCK_PG_ADMIN_URL;
const dbName = `rt_blog_${randomBytes(4).toString('hex')}`;
let admin: pg.Client;
let site: Site;
const PASSWORD = 'writer-pass-7f3a9';

/** Keeps the cookies a visitor has been given, as a browser would. */
function remember(jar: Map<string, string>, res: Response): void {
  for (const line of res.cookies) {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    const value = pair.slice(eq + 1);
    if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(pair.slice(0, eq)); else jar.set(pair.slice(0, eq), value);
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

/** Logs in through the login form; the cookies of the logged-in visitor. */
async function logIn(username: string, password: string): Promise<Map<string, string>> {
  const jar = new Map<string, string>();
  const form = await call(site, '/accounts/login/');
  remember(jar, form);
  const { token } = csrfFrom(form);
  const res = await call(site, '/accounts/login/', {
    method: 'POST', body: new URLSearchParams({ username, password, csrfmiddlewaretoken: token }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
  });
  assert.equal(res.status, 302, `login as ${username} succeeds: ${res.text().slice(0, 300)}`);
  remember(jar, res);
  assert.ok(jar.has('sessionid'));
  return jar;
}

before(async () => {
  assert.ok(adminUrl, 'PADDOCK_PG_ADMIN_URL is set (run npm run stack)');
  admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  site = await loadSite(BLOG, { env: { DATABASE_URL: url.href, SECRET_KEY: TEST_SECRET, ALLOWED_HOSTS: 'testserver' } });
  await openDatabases(site.settings, site.dir);
  await migrate({ apps: site.apps.map((a) => ({ label: a.label, dir: a.dir })) });
  const db = new pg.Client({ connectionString: url.href });
  await db.connect();
  for (let i = 1; i <= 25; i++) {
    await db.query('INSERT INTO blog_post (title, slug, body, author, published) VALUES ($1, $2, $3, $4, $5)',
      [`Post ${i} <script>alert(1)</script>`, `post-${i}`, `Body ${i} <img src=x onerror=alert(1)>`, 'Ada', new Date(Date.UTC(2026, 0, i))]);
  }
  await db.query("INSERT INTO blog_post (title, slug, body, author, published) VALUES ('Future', 'future', 'not yet', '', now() + interval '1 day')");
  await db.end();
  // A cheap hasher: the default's million iterations would make every login cost a second.
  configureAuth({ hashers: [new PBKDF2PasswordHasher({ iterations: 1000 })] });
  await User.objects.create({ username: 'writer', email: '', password: await authSettings().hashers.make(PASSWORD) });
});

after(async () => {
  await closeDatabases();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
});

describe('blog starter', () => {
  it('lists the 20 newest published posts with titles escaped', async () => {
    const res = await call(site, '/');
    assert.equal(res.status, 200);
    const html = res.text();
    assert.equal((html.match(/<li>/g) ?? []).length, 20);
    assert.ok(html.indexOf('Post 25') < html.indexOf('Post 24'), 'newest first');
    assert.ok(!html.includes('Future'), 'unpublished posts are hidden');
    assert.ok(!html.includes('<script>') && !html.includes('<img'), 'no markup from data reaches the page');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(html.includes('href="/post-25/"'));
    assert.match(html, /<link rel="stylesheet" href="\/static\/blog\/style\.css">/);
  });

  it('shows a post as HTML or JSON, and 404s unknown or unpublished slugs', async () => {
    const html = await call(site, '/post-3/');
    assert.equal(html.status, 200);
    assert.match(html.text(), /<h1>Post 3 &lt;script&gt;/);
    const j = await call(site, '/post-3/', { headers: { accept: 'application/json' } });
    assert.equal(JSON.parse(j.text()).slug, 'post-3');
    assert.equal((await call(site, '/nope/')).status, 404);
    assert.equal((await call(site, '/future/')).status, 404);
    assert.match((await call(site, '/nope/')).text(), /Nothing lives at \/nope\//, 'the site\'s 404.html');
  });

  it('serves an RSS feed that parses as XML and a JSON endpoint', async () => {
    const feed = await call(site, '/feed/');
    assert.equal(feed.getHeader('content-type'), 'application/rss+xml; charset=utf-8');
    const channel = child(parseXml(feed.text()), 'channel')!;
    const items = children(channel, 'item');
    assert.equal(items.length, 20);
    assert.equal(child(items[0]!, 'link')?.text, 'http://testserver/post-25/');
    assert.equal(child(items[0]!, 'title')?.text, 'Post 25 <script>alert(1)</script>');
    const api = JSON.parse((await call(site, '/posts.json')).text()) as { posts: { slug: string }[] };
    assert.equal(api.posts.length, 20);
    assert.equal(api.posts[0]?.slug, 'post-25');
    const map = parseXml((await call(site, '/sitemap.xml')).text());
    assert.equal(map.children.length, 25);
  });

  it('accepts the form with a CSRF token, refuses it without, and shows validation errors', async () => {
    const jar = await logIn('writer', PASSWORD);
    const page = await call(site, '/new/', { headers: { cookie: cookieHeader(jar) } });
    assert.equal(page.status, 200);
    remember(jar, page);
    const { token } = csrfFrom(page);
    const body = new URLSearchParams({ title: 'Hello <b>', slug: 'hello', body: 'First!', author: 'Me', csrfmiddlewaretoken: token }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) };
    const noToken = await call(site, '/new/', { method: 'POST', body: body.replace(/csrfmiddlewaretoken=[^&]+/, ''), headers });
    assert.equal(noToken.status, 403);
    const ok = await call(site, '/new/', { method: 'POST', body, headers });
    assert.equal(ok.status, 302);
    assert.equal(ok.getHeader('location'), '/hello/');
    assert.match((await call(site, '/hello/')).text(), /<h1>Hello &lt;b&gt;<\/h1>/);
    const dup = await call(site, '/new/', { method: 'POST', body, headers });
    assert.equal(dup.status, 400);
    assert.match(dup.text(), /exists already/);
    const bad = await call(site, '/new/', { method: 'POST', body: `slug=Bad%20Slug&csrfmiddlewaretoken=${token}`, headers });
    assert.equal(bad.status, 400);
    assert.match(bad.text(), /Give the post a title/);
  });
});
