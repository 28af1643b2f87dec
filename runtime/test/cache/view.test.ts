import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { defaultMiddleware, path, Response, type Request } from '@paddock/runtime';
import { cachePage, LocMemCache } from '@paddock/runtime/cache';
import { CacheSessionStore, getSession, sessionMiddleware } from '@paddock/runtime/contrib/sessions';
import { call, makeSite } from '../helpers/site.js';

function setup() {
  const cache = new LocMemCache({ name: `view-${randomBytes(4).toString('hex')}` });
  const calls: Record<string, number> = {};
  const count = (name: string) => { calls[name] = (calls[name] ?? 0) + 1; return calls[name]; };
  const site = makeSite({
    urls: [
      path('public/', cachePage(60, (req: Request) => new Response(`public ${count('public')} ${req.query.get('q') ?? ''}`), { cache })),
      path('form/', cachePage(60, (req: Request) => new Response(`<input value="${req.csrfToken()}"> ${count('form')}`), { cache })),
      path('me/', cachePage(60, async (req: Request) => new Response(`hello ${await getSession(req).get('name') ?? 'anon'} ${count('me')}`), { cache })),
      path('cookie/', cachePage(60, () => new Response(`c ${count('cookie')}`).setCookie('pref', 'x'), { cache })),
      path('private/', cachePage(60, () => new Response(`p ${count('private')}`, { headers: { 'cache-control': 'private' } }), { cache })),
      path('post/', cachePage(60, () => new Response(`post ${count('post')}`), { cache })),
    ],
    settings: { MIDDLEWARE: [...defaultMiddleware, sessionMiddleware({ store: new CacheSessionStore(cache) })] },
  });
  return { site, calls };
}

test('a public page is computed once and then served from the cache, per full URL', async () => {
  const { site, calls } = setup();
  const first = await call(site, '/public/?q=a');
  const second = await call(site, '/public/?q=a');
  assert.equal(first.text(), 'public 1 a');
  assert.equal(second.text(), 'public 1 a');
  assert.equal(second.headers['x-cache'], 'hit');
  assert.equal(second.headers['cache-control'], 'max-age=60');
  assert.equal(second.headers['x-frame-options'], 'DENY', 'middleware still runs on a hit');
  assert.equal((await call(site, '/public/?q=b')).text(), 'public 2 b');
  assert.equal(calls.public, 2);
});

test('pages carrying a CSRF token, session data, cookies or Cache-Control: private are never shared', async () => {
  const { site, calls } = setup();
  const a = await call(site, '/form/');
  const b = await call(site, '/form/');
  assert.notEqual(a.text(), b.text(), 'each visitor gets their own token');
  assert.equal(calls.form, 2);
  await call(site, '/me/');
  await call(site, '/me/');
  assert.equal(calls.me, 2);
  await call(site, '/cookie/');
  await call(site, '/cookie/');
  assert.equal(calls.cookie, 2);
  await call(site, '/private/');
  await call(site, '/private/');
  assert.equal(calls.private, 2);
});

test('POST requests always reach the view', async () => {
  const { site, calls } = setup();
  const { cookie, token } = await (async () => {
    const page = await call(site, '/form/');
    const line = page.cookies.find((c) => c.startsWith('csrftoken=')) ?? '';
    return { cookie: line.split(';')[0] ?? '', token: /value="([^"]+)"/.exec(page.text())?.[1] ?? '' };
  })();
  for (let i = 0; i < 2; i++) {
    const res = await call(site, '/post/', { method: 'POST', body: `csrfmiddlewaretoken=${token}`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.status, 200, res.text());
  }
  assert.equal(calls.post, 2);
});
