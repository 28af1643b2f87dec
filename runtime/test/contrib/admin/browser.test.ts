// A real browser (Debian's chromium via playwright-core) logs into the admin, creates a post through the add form,
// sees it in the change list (screenshot saved to test-output/screenshots/), on the site and in its feed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import {
  defaultMiddleware, defineSite, Feed, include, path, Response, Site, fields, makeMigrations, migrate, model,
  type Instance,
} from '@paddock/runtime';
import { createServer, type SiteServer } from '@paddock/runtime/host';
import { LocMemCache } from '@paddock/runtime/cache';
import { escapeHtml } from '@paddock/runtime/forms';
import { CacheSessionStore, sessionMiddleware } from '@paddock/runtime/contrib/sessions';
import { messagesMiddleware } from '@paddock/runtime/contrib/messages';
import { authApp, authMiddleware, configureAuth, createSuperuser, PBKDF2PasswordHasher } from '@paddock/runtime/contrib/auth';
import { adminApp, AdminSite, registerAuthAdmin } from '@paddock/runtime/contrib/admin';
import { TEST_SECRET } from '../../helpers/site.js';
import { testDatabase } from '../helpers/db.js';

const Post = model('adminblog.Post', {
  id: fields.auto(),
  title: fields.char({ maxLength: 200 }),
  body: fields.text(),
  published: fields.boolean({ default: false }),
}, { ordering: ['-id'] });
type PostI = Instance<typeof Post>;

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
      MIDDLEWARE: [...defaultMiddleware, sessionMiddleware({ store: new CacheSessionStore(new LocMemCache({ name: 'browser' })) }), messagesMiddleware(), authMiddleware()],
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
  await page.getByRole('button', { name: 'Save' }).click();
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
