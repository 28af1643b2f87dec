import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { defaultMiddleware, json, path, Response, type Request, type Response as Res } from '@paddock/runtime';
import { RedisCache } from '@paddock/runtime/cache';
import { CacheSessionStore, getSession, sessionMiddleware, type SessionMiddlewareOptions } from '@paddock/runtime/contrib/sessions';
import { call, makeSite } from '../../helpers/site.js';

const adminUrl = process.env.PADDOCK_CACHE_ADMIN_URL as string;
const prefix = `test-sessions-${randomBytes(6).toString('hex')}`;
const cache = new RedisCache({ url: adminUrl, keyPrefix: prefix });
const raw = new Redis(adminUrl);
after(async () => {
  await cache.clear();
  await cache.close();
  raw.disconnect();
});

function sessionSite(options: SessionMiddlewareOptions = {}) {
  const store = new CacheSessionStore(cache, options.now);
  return makeSite({
    urls: [
      path('set/', async (req: Request) => { await getSession(req).set('user', req.query.get('v') ?? 'alice'); return new Response('ok'); }),
      path('get/', async (req: Request) => json({ user: (await getSession(req).get('user')) ?? null })),
      path('login/', async (req: Request) => {
        const s = getSession(req);
        await s.cycleKey();
        await s.set('uid', 42);
        return new Response('logged in');
      }),
      path('logout/', async (req: Request) => { await getSession(req).flush(); return new Response('bye'); }),
      path('plain/', () => new Response('no session use')),
      path('short/', async (req: Request) => { const s = getSession(req); await s.set('x', 1); await s.setExpiry(0); return new Response('ok'); }),
    ],
    settings: { MIDDLEWARE: [...defaultMiddleware, sessionMiddleware({ store, ...options })] },
  });
}

function sessionCookie(res: Res): string | undefined {
  const line = res.cookies.find((c) => c.startsWith('sessionid='));
  return line?.slice('sessionid='.length).split(';')[0];
}

test('the cookie holds only a random key; the data stays in the store', async () => {
  const site = sessionSite();
  const res = await call(site, '/set/?v=secret-value');
  const key = sessionCookie(res) ?? '';
  assert.match(key, /^[a-z0-9]{32}$/);
  assert.doesNotMatch(res.cookies.join(), /secret-value/);
  const line = res.cookies.find((c) => c.startsWith('sessionid=')) ?? '';
  assert.match(line, /HttpOnly/);
  assert.match(line, /SameSite=Lax/);
  assert.match(line, /Max-Age=1209600/);
  assert.ok(await raw.exists(`${prefix}:1:paddock.sessions.${key}`));
  const back = await call(site, '/get/', { headers: { cookie: `sessionid=${key}` } });
  assert.deepEqual(JSON.parse(back.text()), { user: 'secret-value' });
  assert.match(back.headers.vary ?? '', /Cookie/);
});

test('a page that does not touch the session sets no cookie and does not vary', async () => {
  const res = await call(sessionSite(), '/plain/');
  assert.equal(sessionCookie(res), undefined);
  assert.doesNotMatch(res.headers.vary ?? '', /Cookie/);
});

test('session fixation: a key the server never issued is not adopted', async () => {
  const site = sessionSite();
  const planted = 'attackerchosenkey0000000000000000'.slice(0, 32);
  const res = await call(site, '/set/', { headers: { cookie: `sessionid=${planted}` } });
  const issued = sessionCookie(res);
  assert.ok(issued && issued !== planted);
  assert.equal(await raw.exists(`${prefix}:1:paddock.sessions.${planted}`), 0, 'nothing stored under the planted key');
});

test('session fixation: logging in cycles the key, keeps the data, and kills the pre-login key', async () => {
  const site = sessionSite();
  const before = sessionCookie(await call(site, '/set/?v=cart')) ?? '';
  const login = await call(site, '/login/', { headers: { cookie: `sessionid=${before}` } });
  const afterLogin = sessionCookie(login) ?? '';
  assert.ok(afterLogin && afterLogin !== before);
  assert.deepEqual(JSON.parse((await call(site, '/get/', { headers: { cookie: `sessionid=${afterLogin}` } })).text()), { user: 'cart' });
  // Whoever knew the pre-login key (planted or sniffed) gets nothing.
  assert.deepEqual(JSON.parse((await call(site, '/get/', { headers: { cookie: `sessionid=${before}` } })).text()), { user: null });
});

test('logout flushes: the cookie is deleted and the stored session is gone', async () => {
  const site = sessionSite();
  const key = sessionCookie(await call(site, '/login/')) ?? '';
  const res = await call(site, '/logout/', { headers: { cookie: `sessionid=${key}` } });
  const line = res.cookies.find((c) => c.startsWith('sessionid=')) ?? '';
  assert.match(line, /^sessionid=;.*Max-Age=0/);
  assert.equal(await raw.exists(`${prefix}:1:paddock.sessions.${key}`), 0);
  assert.deepEqual(JSON.parse((await call(site, '/get/', { headers: { cookie: `sessionid=${key}` } })).text()), { user: null });
});

test('a session expires after its age of inactivity', async () => {
  let now = Date.now();
  const site = sessionSite({ age: 60, now: () => now });
  const key = sessionCookie(await call(site, '/set/')) ?? '';
  now += 59_000;
  assert.deepEqual(JSON.parse((await call(site, '/get/', { headers: { cookie: `sessionid=${key}` } })).text()), { user: 'alice' });
  now += 2_000;
  assert.deepEqual(JSON.parse((await call(site, '/get/', { headers: { cookie: `sessionid=${key}` } })).text()), { user: null });
});

test('a browser-session cookie has no Max-Age', async () => {
  const res = await call(sessionSite(), '/short/');
  const line = res.cookies.find((c) => c.startsWith('sessionid=')) ?? '';
  assert.ok(line);
  assert.doesNotMatch(line, /Max-Age/);
});

test('malformed session cookies are ignored, not passed to the store', async () => {
  const site = sessionSite();
  for (const bad of ['../../etc', 'a'.repeat(500), 'KEY*', '']) {
    const res = await call(site, '/get/', { headers: { cookie: `sessionid=${encodeURIComponent(bad)}` } });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text()), { user: null });
  }
});
