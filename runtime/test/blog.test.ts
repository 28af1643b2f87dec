import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { migrate, type Site } from '@paddock/runtime';
import { closeDatabases, openDatabases } from '@paddock/runtime/host/database';
import { loadSite } from '@paddock/runtime/host/load';
import { call, csrfFrom, TEST_SECRET } from './helpers/site.js';
import { child, children, parseXml } from './helpers/xml.js';

const BLOG = join(import.meta.dirname, '..', 'starters', 'blog');
const adminUrl = process.env.PADDOCK_PG_ADMIN_URL;
const dbName = `rt_blog_${randomBytes(4).toString('hex')}`;
let admin: pg.Client;
let site: Site;

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
    const page = await call(site, '/new/');
    const { cookie, token } = csrfFrom(page);
    const body = new URLSearchParams({ title: 'Hello <b>', slug: 'hello', body: 'First!', author: 'Me', csrfmiddlewaretoken: token }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded', cookie: `csrftoken=${cookie}` };
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
