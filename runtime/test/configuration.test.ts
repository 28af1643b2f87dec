// Configuration a Django developer expects: DATABASE_ROUTERS in settings, several template engines at once (Nunjucks,
// then LiquidJS), the m2mChanged signal and the request signals. Databases are real Postgres ones made for this file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ALTERS_DATA, FieldError, Http404, TemplateDoesNotExist, fields, m2mChanged, makeMigrations, migrate, model, path, rawQuery, render,
  requestFinished, requestStarted, Response as PdkResponse, type AnyModelClass, type DatabaseRouter, type M2MChangedEvent, type Request,
} from '@paddock/runtime';
import { openDatabases, closeDatabases } from '@paddock/runtime/host';
import { createDatabase, dropDatabase } from './helpers/database.js';
import { call, csrfFrom, makeSite, tempDir } from './helpers/site.js';

const Author = model('routed.Author', { name: fields.char({ maxLength: 50 }) });
const Tag = model('routed.Tag', { name: fields.char({ maxLength: 50 }) });
const Post = model('routed.Post', {
  title: fields.char({ maxLength: 50 }),
  tags: fields.manyToMany('routed.Tag', { relatedName: 'posts', blank: true }),
});
// Lives in the archive database; its author in the default one (so no foreign key constraint across them).
const Entry = model('audit.Entry', {
  action: fields.char({ maxLength: 50 }),
  author: fields.foreignKey('routed.Author', { onDelete: 'doNothing', null: true, dbConstraint: false }),
});


describe('DATABASE_ROUTERS and m2mChanged', () => {
  const dbs: Array<{ name: string; url: string }> = [];
  const routedDir = tempDir('pdk-routed-');
  const auditDir = tempDir('pdk-audit-');
  const apps = [{ label: 'routed', dir: routedDir.dir }, { label: 'audit', dir: auditDir.dir }];
  const asked: string[] = [];
  // The first router knows the audit app; the second answers for everything else; allowRelation is left to a third.
  const auditRouter: DatabaseRouter = {
    dbForRead: (m: AnyModelClass) => (m._meta.app === 'audit' ? 'archive' : undefined),
    dbForWrite: (m: AnyModelClass) => (m._meta.app === 'audit' ? 'archive' : undefined),
    allowMigrate: (alias, app) => (app === 'audit' ? alias === 'archive' : undefined),
  };
  const defaultRouter: DatabaseRouter = {
    dbForRead: (m) => { asked.push(`read ${m._meta.label}`); return 'default'; },
    dbForWrite: (m, hints) => { asked.push(`write ${m._meta.label}${hints.instance ? ' (instance)' : ''}`); return 'default'; },
    allowMigrate: (alias) => alias === 'default',
  };
  let allowAcross = false;
  const relationRouter: DatabaseRouter = { allowRelation: () => (allowAcross ? true : undefined) };

  before(async () => {
    dbs.push(await createDatabase('cfg_default'), await createDatabase('cfg_archive'));
    await makeMigrations({ apps });
    const site = makeSite({
      urls: [],
      settings: {
        DATABASES: { default: { url: dbs[0]!.url }, archive: { url: dbs[1]!.url } },
        DATABASE_ROUTERS: [auditRouter, defaultRouter, relationRouter],
      },
    });
    await openDatabases(site.settings, site.dir);
    await migrate({ apps, database: 'default' });
    await migrate({ apps, database: 'archive' });
  });
  after(async () => {
    await closeDatabases();
    for (const d of dbs) await dropDatabase(d.name);
    routedDir.cleanup();
    auditDir.cleanup();
  });

  test('DATABASE_ROUTERS in settings route reads, writes, relations and migrations, asking each router in order', async () => {
    const where = async (alias: string) => (await rawQuery<{ t: string | null; e: string | null }>(
      "select to_regclass('routed_author')::text as t, to_regclass('audit_entry')::text as e", [], { using: alias }))[0];
    assert.deepEqual(await where('default'), { t: 'routed_author', e: null }, 'allowMigrate kept the audit app off the default database');
    assert.deepEqual(await where('archive'), { t: null, e: 'audit_entry' });

    const ann = new Author({ name: 'Ann' });
    await ann.save();
    assert.ok(asked.includes('write routed.Author (instance)'), `the second router was asked, with the instance: ${asked.join('; ')}`);
    const entry = await Entry.objects.create({ action: 'signed up', author: ann.id });
    assert.equal(await Entry.objects.count(), 1, 'read from the archive');
    assert.equal((await rawQuery('select * from audit_entry', [], { using: 'archive' })).length, 1);
    assert.ok(!asked.some((a) => a.includes('audit.Entry')), 'the first router answered for the audit app');

    const loaded = await Entry.objects.get({ pk: entry.id });
    assert.throws(() => { loaded.author = ann; }, (err: unknown) => err instanceof FieldError && /database routers do not allow relations/.test(err.message));
    allowAcross = true;
    loaded.author = ann;
    assert.equal(loaded.authorId, ann.id);
  });

  test('m2mChanged is sent before and after add, remove and clear, from either side, with the keys that changed', async () => {
    const events: string[] = [];
    const off = m2mChanged.connect((e: M2MChangedEvent) => {
      events.push(`${e.action} ${e.reverse ? 'reverse' : 'forward'} ${e.model._meta.modelName.toLowerCase()} ${e.pkSet ? [...e.pkSet].join(',') : 'null'}`);
      assert.equal(e.sender, Post as unknown as AnyModelClass);
      assert.equal(e.field.name, 'tags');
    }, { sender: Post });
    try {
      const post = await Post.objects.create({ title: 'Signals' });
      const [a, b] = await Tag.objects.bulkCreate([{ name: 'a' }, { name: 'b' }]) as [InstanceType<typeof Tag>, InstanceType<typeof Tag>];
      await post.tags.add(a, b);
      await post.tags.add(a); // already there: nothing new
      await post.tags.remove(b);
      await (b.related('posts') as unknown as { add(...o: unknown[]): Promise<void> }).add(post);
      await post.tags.clear();
      assert.deepEqual(events, [
        `preAdd forward tag ${a.id},${b.id}`, `postAdd forward tag ${a.id},${b.id}`,
        'preAdd forward tag ', 'postAdd forward tag ',
        `preRemove forward tag ${b.id}`, `postRemove forward tag ${b.id}`,
        `preAdd reverse post ${post.id}`, `postAdd reverse post ${post.id}`,
        'preClear forward tag null', 'postClear forward tag null',
      ]);
    } finally {
      off();
    }
  });
});

describe('several template engines at once', () => {
  const site = tempDir('pdk-engines-');
  const appDir = join(site.dir, 'shop');

  before(() => {
    for (const d of ['templates', 'liquid', join('shop', 'liquid')]) mkdirSync(join(site.dir, d), { recursive: true });
    writeFileSync(join(site.dir, 'templates', 'page.html'), 'nunjucks: {{ who }}');
    writeFileSync(join(site.dir, 'liquid', 'page.html'), 'liquid shadowed');
    writeFileSync(join(site.dir, 'liquid', 'only.html'),
      'liquid {{ request.path }} {{ who }} {{ shop_name }} <a href="{% url \'item\' slug=item.slug %}">{{ item.name | upcase }}</a> '
      + '<link href="{% static \'css/site.css\' %}"> <form method="post">{% csrf_token %}</form> {{ item.save }}{{ trusted | safe }}');
    writeFileSync(join(appDir, 'liquid', 'app-page.html'), 'from the app folder: {{ who }}');
  });
  after(() => site.cleanup());

  const build = () => makeSite({
    dir: site.dir,
    apps: [{ label: 'shop', dir: appDir, contextProcessors: [() => ({ shop_name: 'Corner <Shop>' })] }],
    settings: { TEMPLATES: [{ BACKEND: 'nunjucks', DIRS: ['templates'] }, { BACKEND: 'liquid', DIRS: ['liquid'] }] },
    urls: [
      path('item/<slug:slug>/', () => { throw new Http404(); }, { name: 'item' }),
      path('<str:name>/', (req: Request, { name }: { name: string }) => {
        const item = { slug: 'red-mug', name: 'red mug', save: Object.assign(() => { throw new Error('a template called save()'); }, { [ALTERS_DATA]: true }) };
        return render(req, `${name}.html`, { who: '<b>you</b>', item, trusted: '<i>ok</i>' });
      }),
    ],
  });

  test('several template engines at once: each template is rendered by the first engine that has it (Nunjucks, then LiquidJS)', async () => {
    const s = build();
    assert.equal((await call(s, '/page/')).text(), 'nunjucks: &lt;b&gt;you&lt;/b&gt;');
    assert.equal((await call(s, '/app-page/')).text(), 'from the app folder: &#60;b&#62;you&#60;/b&#62;');
    await assert.rejects(s.templates.render('missing.html', {}), (err: unknown) =>
      err instanceof TemplateDoesNotExist && err.message.includes(join(site.dir, 'templates')) && err.message.includes(join(site.dir, 'liquid')));
  });

  test('LiquidJS templates get the same context processors, escaping and {% url %} / {% static %} / {% csrf_token %}, and never call data-changing methods', async () => {
    const s = build();
    const res = await call(s, '/only/');
    const html = res.text();
    assert.match(html, /^liquid \/only\/ &#60;b&#62;you&#60;\/b&#62; Corner &#60;Shop&#62; /);
    assert.match(html, /<a href="\/item\/red-mug\/">RED MUG<\/a>/);
    assert.match(html, /<link href="\/static\/css\/site.css">/);
    const { cookie, token } = csrfFrom(res);
    assert.ok(cookie && token, 'the CSRF token was rendered and its cookie set');
    assert.match(html, /<\/form> <i>ok<\/i>$/, '`| safe` writes trusted HTML, {{ item.save }} is empty');
  });
});

describe('request signals', () => {
  test('requestStarted and requestFinished are sent around each request, with the response, even when the view fails', async () => {
    const seen: string[] = [];
    const s = makeSite({ urls: [path('ok/', () => new PdkResponse('fine')), path('boom/', () => { throw new Error('boom'); })] });
    const offStart = requestStarted.connect(({ request }) => { seen.push(`started ${request.path}`); });
    const offEnd = requestFinished.connect(({ request, response }) => { seen.push(`finished ${request.path} ${response.status}`); });
    try {
      await call(s, '/ok/');
      await call(s, '/boom/');
    } finally {
      offStart();
      offEnd();
    }
    await call(s, '/ok/');
    assert.deepEqual(seen, ['started /ok/', 'finished /ok/ 200', 'started /boom/', 'finished /boom/ 500']);
  });
});
