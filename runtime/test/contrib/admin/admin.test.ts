import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultMiddleware, include, fields, makeMigrations, migrate, model, closeDatabases, type Response as Res, type Site,
} from '@paddock/runtime';
import { LocMemCache } from '@paddock/runtime/cache';
import { CacheSessionStore, sessionMiddleware } from '@paddock/runtime/contrib/sessions';
import { messagesMiddleware } from '@paddock/runtime/contrib/messages';
import {
  authApp, authMiddleware, configureAuth, Permission, PBKDF2PasswordHasher, syncPermissions, User,
} from '@paddock/runtime/contrib/auth';
import { adminApp, AdminSite, LogEntry, registerAuthAdmin } from '@paddock/runtime/contrib/admin';
import { call, makeSite, tempDir } from '../../helpers/site.js';
import { testDatabase } from '../helpers/db.js';

const Category = model('adminshop.Category', { id: fields.auto(), name: fields.char({ maxLength: 100 }) });
const Product = model('adminshop.Product', {
  id: fields.auto(),
  name: fields.char({ maxLength: 100 }),
  price: fields.float({ default: 0 }),
  active: fields.boolean({ default: true }),
  status: fields.char({ maxLength: 10, choices: [['draft', 'Draft'], ['live', 'Live']], default: 'draft' }),
  category: fields.foreignKey('adminshop.Category', { onDelete: 'cascade', null: true, blank: true }),
});

const XSS = '<script>alert(1)</script>';
const fast = new PBKDF2PasswordHasher({ iterations: 1000 });
let db: Awaited<ReturnType<typeof testDatabase>>;
let shopDir: string;
const admin = new AdminSite({ prefix: '/admin/' });
admin.register(Product, { listDisplay: ['name', 'price', 'active', 'status', 'category'], search: ['name'], listFilter: ['active', 'status', 'category'], listPerPage: 5, repr: (p) => String(p.name) });
admin.register(Category, { listDisplay: ['name'], repr: (c) => String(c.name) });
registerAuthAdmin(admin);

before(async () => {
  shopDir = mkdtempSync(join(tmpdir(), 'pdk-adminshop-'));
  await makeMigrations({ apps: [{ label: 'adminshop', dir: shopDir }] });
  db = await testDatabase([authApp, adminApp]);
  await migrate({ apps: [authApp, adminApp, { label: 'adminshop', dir: shopDir }] });
  configureAuth({ hashers: [fast], throttle: { perUser: 50, perAddress: 500 } });
  await syncPermissions();
  await User.objects.create({ username: 'boss', password: await fast.encode('pw-boss-123'), isStaff: true, isSuperuser: true });
  await User.objects.create({ username: 'clerk', password: await fast.encode('pw-clerk-123'), isStaff: true });
  await User.objects.create({ username: 'viewer', password: await fast.encode('pw-viewer-123'), isStaff: true });
  await User.objects.create({ username: 'visitor', password: await fast.encode('pw-visitor-123') });
  const viewer = await User.objects.get({ username: 'viewer' });
  await viewer.userPermissions.add(await Permission.objects.get({ app: 'adminshop', codename: 'view_product' }));
  const cat = await Category.objects.create({ name: `Cat ${XSS}` });
  for (let i = 0; i < 7; i++) await Product.objects.create({ name: `Product ${i}`, price: i, active: i % 2 === 0, categoryId: cat.id });
  await Product.objects.create({ name: `Evil ${XSS}`, price: 99 });
});
after(async () => {
  await db.drop();
  rmSync(shopDir, { recursive: true, force: true });
  await closeDatabases();
});

const cache = new LocMemCache({ name: `admin-${Math.random()}` });
const siteOptions = {
  apps: [adminApp],
  urls: [include('admin/', admin.urls)],
  settings: { MIDDLEWARE: [...defaultMiddleware, sessionMiddleware({ store: new CacheSessionStore(cache) }), messagesMiddleware(), authMiddleware()] },
};
const defaultSite = makeSite(siteOptions);

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
  async token(from = '/admin/login/'): Promise<string> {
    return /name="csrfmiddlewaretoken" value="([^"]+)"/.exec((await this.get(from)).text())?.[1] ?? '';
  }
  async post(url: string, form: Record<string, string | string[]>, opts: { token?: boolean; from?: string } = {}): Promise<Res> {
    const body = new URLSearchParams();
    if (opts.token !== false) body.append('csrfmiddlewaretoken', await this.token(opts.from ?? url));
    for (const [k, v] of Object.entries(form)) for (const item of [v].flat()) body.append(k, item);
    return this.take(await call(this.site, url, { method: 'POST', body: body.toString(), headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded' } }));
  }
  static async as(username: string, password: string, site?: Site): Promise<Browser> {
    const b = new Browser(site);
    const res = await b.post('/admin/login/', { username, password, next: '/admin/' });
    assert.equal(res.status, 302, `login as ${username}: ${res.text().slice(0, 300)}`);
    return b;
  }
}

test('the admin login refuses non-staff users and sends anonymous visitors to it', async () => {
  assert.match((await new Browser().get('/admin/')).headers.location ?? '', /^\/admin\/login\/\?next=/);
  const res = await new Browser().post('/admin/login/', { username: 'visitor', password: 'pw-visitor-123' });
  assert.equal(res.status, 200);
  assert.match(res.text(), /correct username and password for a staff account/);
});

test('a superuser sees the index, a change list with columns, search, filters, ordering and pages', async () => {
  const b = await Browser.as('boss', 'pw-boss-123');
  const index = (await b.get('/admin/')).text();
  assert.match(index, /href="\/admin\/adminshop\/product\/">Products<\/a>/);
  assert.match(index, /href="\/admin\/auth\/user\/">Users<\/a>/);
  const list = (await b.get('/admin/adminshop/product/?o=price')).text();
  assert.match(list, /8 products/);
  assert.match(list, /Page 1 of 2/);
  assert.ok(list.indexOf('Product 0') < list.indexOf('Product 1'), 'sorted by price');
  const desc = (await b.get('/admin/adminshop/product/?o=-price')).text();
  assert.ok(desc.indexOf('Evil') < desc.indexOf('Product 6'));
  assert.match((await b.get('/admin/adminshop/product/?q=product+3')).text(), /1 product</);
  assert.match((await b.get('/admin/adminshop/product/?active=1')).text(), /5 products/);
  assert.match((await b.get('/admin/adminshop/product/?active=0')).text(), /3 products/);
  assert.match((await b.get('/admin/adminshop/product/?p=2')).text(), /Page 2 of 2/);
  assert.equal((await b.get('/admin/adminshop/product/?p=9')).status, 404);
});

test('only declared filters are read from the URL: no lookups on other fields (no password__startswith oracle)', async () => {
  const b = await Browser.as('boss', 'pw-boss-123');
  const all = (await b.get('/admin/auth/user/')).text().match(/(\d+) users/)?.[1];
  const probe = (await b.get('/admin/auth/user/?password__startswith=pbkdf2_sha256%241000%24zzzz')).text().match(/(\d+) users/)?.[1];
  assert.equal(probe, all);
  assert.equal((await b.get('/admin/adminshop/product/?o=password')).status, 200, 'unknown ordering is ignored');
  assert.doesNotMatch((await b.get('/admin/auth/user/1/change/')).text(), /pbkdf2/, 'the hash is never shown');
});

test('add, change, delete through model forms, with validation errors and a history of changes', async () => {
  const b = await Browser.as('boss', 'pw-boss-123');
  const bad = await b.post('/admin/adminshop/product/add/', { name: '', price: 'abc', status: 'bogus' });
  assert.equal(bad.status, 400);
  assert.match(bad.text(), /This field is required/);
  assert.match(bad.text(), /Enter a number/);
  assert.match(bad.text(), /Select a valid choice/);
  const ok = await b.post('/admin/adminshop/product/add/', { name: 'Widget', price: '9.5', status: 'live', active: 'on', category: '' });
  assert.equal(ok.status, 302, ok.text().slice(0, 2000));
  const w = await Product.objects.get({ name: 'Widget' });
  assert.equal(w.price, 9.5);
  assert.equal(w.status, 'live');
  assert.match((await b.get('/admin/adminshop/product/')).text(), /was added successfully/);
  const changed = await b.post(`/admin/adminshop/product/${w.id}/change/`, { name: 'Widget 2', price: '10', status: 'live', category: '' });
  assert.equal(changed.status, 302);
  const w2 = await Product.objects.get({ id: w.id });
  assert.equal(w2.name, 'Widget 2');
  assert.equal(w2.active, false, 'an unticked box is false');
  const history = (await b.get(`/admin/adminshop/product/${w.id}/history/`)).text();
  assert.match(history, /Added/);
  assert.match(history, /Changed name, price and active\./);
  assert.match((await b.get(`/admin/adminshop/product/${w.id}/delete/`)).text(), /Are you sure/);
  assert.equal((await b.post(`/admin/adminshop/product/${w.id}/delete/`, {}, { from: `/admin/adminshop/product/${w.id}/delete/` })).status, 302);
  assert.equal(await Product.objects.filter({ id: w.id }).exists(), false);
  assert.equal(await LogEntry.objects.filter({ objectId: String(w.id), actionFlag: 3 }).count(), 1);
});

test('bulk delete asks for confirmation, then deletes only the selected objects', async () => {
  const b = await Browser.as('boss', 'pw-boss-123');
  const [a, c] = await Promise.all([Product.objects.create({ name: 'bulk-a' }), Product.objects.create({ name: 'bulk-b' })]);
  const confirm = await b.post('/admin/adminshop/product/', { action: 'delete_selected', _selected: [String(a.id), String(c.id)] });
  assert.match(confirm.text(), /Are you sure\?/);
  assert.equal(await Product.objects.filter({ name__startswith: 'bulk-' }).count(), 2);
  const done = await b.post('/admin/adminshop/product/', { action: 'delete_selected', confirm: 'yes', _selected: [String(a.id), String(c.id)] });
  assert.equal(done.status, 302);
  assert.equal(await Product.objects.filter({ name__startswith: 'bulk-' }).count(), 0);
});

test('related objects are offered in pickers and saved as foreign keys', async () => {
  const b = await Browser.as('boss', 'pw-boss-123');
  const cat = await Category.objects.create({ name: 'Tools' });
  const page = (await b.get('/admin/adminshop/product/add/')).text();
  assert.match(page, new RegExp(`<option value="${cat.id}">Tools</option>`));
  await b.post('/admin/adminshop/product/add/', { name: 'Hammer', price: '1', status: 'draft', category: String(cat.id) });
  assert.equal((await Product.objects.get({ name: 'Hammer' })).categoryId, cat.id);
  const bogus = await b.post('/admin/adminshop/product/add/', { name: 'Ghost', price: '1', status: 'draft', category: '999999' });
  assert.equal(bogus.status, 400, 'a related key that was not offered is refused');
});

test('XSS through any admin field, list column, filter, picker or history is escaped', async () => {
  const b = await Browser.as('boss', 'pw-boss-123');
  const evil = await Product.objects.get({ name: `Evil ${XSS}` });
  await b.post(`/admin/adminshop/product/${evil.id}/change/`, { name: `Evil ${XSS}`, price: '99', status: 'draft', category: '' });
  const pages = ['/admin/', '/admin/adminshop/product/', `/admin/adminshop/product/?q=${encodeURIComponent(XSS)}`, `/admin/adminshop/product/${evil.id}/change/`,
    `/admin/adminshop/product/${evil.id}/history/`, `/admin/adminshop/product/${evil.id}/delete/`, '/admin/adminshop/product/add/', '/admin/adminshop/category/'];
  for (const url of pages) {
    const html = (await b.get(url)).text();
    assert.doesNotMatch(html, /<script>alert/, url);
  }
  const list = (await b.get('/admin/adminshop/product/')).text();
  assert.match(list, /Evil &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
});

test('CSRF: every admin form refuses a POST without the token, and nothing changes', async () => {
  const b = await Browser.as('boss', 'pw-boss-123');
  const p = await Product.objects.create({ name: 'csrf-target' });
  const attempts: Array<[string, Record<string, string>]> = [
    ['/admin/adminshop/product/add/', { name: 'csrf-new', price: '1', status: 'draft' }],
    [`/admin/adminshop/product/${p.id}/change/`, { name: 'csrf-changed', price: '1', status: 'draft' }],
    [`/admin/adminshop/product/${p.id}/delete/`, {}],
    ['/admin/adminshop/product/', { action: 'delete_selected', confirm: 'yes', _selected: String(p.id) }],
    ['/admin/logout/', {}],
  ];
  for (const [url, form] of attempts) assert.equal((await b.post(url, form, { token: false })).status, 403, url);
  assert.equal((await Product.objects.get({ id: p.id })).name, 'csrf-target');
  assert.equal(await Product.objects.filter({ name: 'csrf-new' }).exists(), false);
  assert.equal((await b.get('/admin/')).status, 200, 'still logged in');
});

test('permission bypass by URL: staff without permissions get 403 on every model URL; view-only staff cannot write', async () => {
  const clerk = await Browser.as('clerk', 'pw-clerk-123');
  const p = await Product.objects.create({ name: 'guarded' });
  assert.doesNotMatch((await clerk.get('/admin/')).text(), /adminshop\/product/);
  for (const url of ['/admin/adminshop/product/', '/admin/adminshop/product/add/', `/admin/adminshop/product/${p.id}/change/`,
    `/admin/adminshop/product/${p.id}/delete/`, `/admin/adminshop/product/${p.id}/history/`, '/admin/auth/user/']) {
    assert.equal((await clerk.get(url)).status, 403, url);
  }
  assert.equal((await clerk.post(`/admin/adminshop/product/${p.id}/delete/`, {}, { from: '/admin/login/' })).status, 403);
  assert.equal((await clerk.post('/admin/adminshop/product/add/', { name: 'sneaky', status: 'draft' }, { from: '/admin/login/' })).status, 403);
  assert.equal(await Product.objects.filter({ id: p.id }).exists(), true);
  const viewer = await Browser.as('viewer', 'pw-viewer-123');
  assert.equal((await viewer.get('/admin/adminshop/product/')).status, 200);
  const view = await viewer.get(`/admin/adminshop/product/${p.id}/change/`);
  assert.equal(view.status, 200);
  assert.doesNotMatch(view.text(), /<form method="post" action=""/, 'read-only: no edit form');
  assert.equal((await viewer.post(`/admin/adminshop/product/${p.id}/change/`, { name: 'hacked', status: 'draft' }, { from: '/admin/login/' })).status, 403);
  assert.equal((await viewer.post('/admin/adminshop/product/', { action: 'delete_selected', confirm: 'yes', _selected: String(p.id) }, { from: '/admin/login/' })).status, 403);
  assert.equal((await Product.objects.get({ id: p.id })).name, 'guarded');
  assert.equal((await viewer.get('/admin/adminshop/nosuchmodel/')).status, 404);
  assert.equal((await viewer.get('/admin/auth/user/1/change/')).status, 403, 'users are off limits');
});

test('a site\'s own templates/admin/... win over the admin\'s, for every page or for one model; the CSS is a static file', async () => {
  const { dir, cleanup } = tempDir('pdk-admin-templates-');
  try {
    const write = (rel: string, text: string) => {
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      writeFileSync(join(dir, rel), text);
    };
    write('templates/admin/base_site.html', '{% extends "admin/base.html" %}{% block branding %}<a class="brand" href="{{ admin_url }}">Acme back office</a>{% endblock %}');
    write('templates/admin/adminshop/product/change_list.html',
      '{% extends "admin/change_list.html" %}{% block object_tools_bar %}<p id="custom">Only for {{ opts.verbose_name_plural }}</p>{{ super() }}{% endblock %}');
    const custom = makeSite({ ...siteOptions, dir });
    const b = await Browser.as('boss', 'pw-boss-123', custom);
    const index = (await b.get('/admin/')).text();
    assert.match(index, /<a class="brand" href="\/admin\/">Acme back office<\/a>/);
    assert.match(index, /href="\/admin\/adminshop\/product\/">Products<\/a>/);
    const products = (await b.get('/admin/adminshop/product/')).text();
    assert.match(products, /<p id="custom">Only for products<\/p>/);
    assert.match(products, /Add product<\/a>/, 'the block\'s own content is kept through super()');
    assert.match(products, /\d+ products/);
    assert.doesNotMatch((await b.get('/admin/adminshop/category/')).text(), /id="custom"/, 'another model keeps the admin\'s template');
    assert.match(products, /<link rel="stylesheet" href="\/static\/admin\/css\/base.css">/);
    const css = custom.staticFiles.lookup('admin/css/base.css');
    assert.ok(css, 'the stylesheet is found among the apps\' static files');
    assert.match(readFileSync(css.file, 'utf8'), /\.filters a\.selected/);
  } finally {
    cleanup();
  }
});
