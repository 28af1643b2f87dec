import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMiddleware, include, path, Response, type Request, type Response as Res } from '@paddock/runtime';
import { LocMemCache } from '@paddock/runtime/cache';
import { CacheSessionStore, sessionMiddleware } from '@paddock/runtime/contrib/sessions';
import { messagesMiddleware } from '@paddock/runtime/contrib/messages';
import {
  authApp, authMiddleware, authUrls, configureAuth, createSuperuser, currentUser, loginRequired, permissionRequired,
  Permission, setAuthMailBackend, User, MD5PasswordHasher, PBKDF2PasswordHasher, PBKDF2SHA1PasswordHasher,
} from '@paddock/runtime/contrib/auth';
import { MemoryBackend } from '@paddock/runtime/mail';
import { call, makeSite } from '../../helpers/site.js';
import { testDatabase } from '../helpers/db.js';

let db: Awaited<ReturnType<typeof testDatabase>>;
const outbox = new MemoryBackend();
const cache = new LocMemCache({ name: `auth-views-${Math.random()}` });
// Cheap hashers keep the suite fast; the default hasher's strength is tested in hashers.test.ts.
const fast = new PBKDF2PasswordHasher({ iterations: 1000 });

before(async () => {
  db = await testDatabase([authApp]);
  configureAuth({ hashers: [fast, new PBKDF2SHA1PasswordHasher({ iterations: 1000 }), new MD5PasswordHasher()], throttle: { perUser: 3, window: 60 } });
  setAuthMailBackend(outbox);
});
after(async () => { await db.drop(); });

const site = () => makeSite({
  urls: [
    include('accounts/', authUrls),
    path('private/', loginRequired((req: Request) => new Response(`hello ${currentUser(req)?.username}`))),
    path('publish/', permissionRequired('blog.publish_post', () => new Response('published'))),
  ],
  settings: {
    MIDDLEWARE: [...defaultMiddleware, sessionMiddleware({ store: new CacheSessionStore(cache) }), messagesMiddleware(), authMiddleware()],
    DEBUG: false,
  },
});

/** A tiny browser: keeps cookies, fetches CSRF tokens from forms. */
class Browser {
  jar = new Map<string, string>();
  constructor(readonly s = site()) {}
  get cookie(): string { return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '); }
  take(res: Res): Res {
    for (const c of res.cookies) {
      const [pair] = c.split(';');
      const eq = (pair ?? '').indexOf('=');
      const k = pair!.slice(0, eq);
      const v = pair!.slice(eq + 1);
      if (/Max-Age=0/.test(c) || v === '') this.jar.delete(k); else this.jar.set(k, v);
    }
    return res;
  }
  async get(url: string): Promise<Res> { return this.take(await call(this.s, url, { headers: { cookie: this.cookie } })); }
  /** token: fetch the CSRF token from this page (true: the same URL), or false to send none. */
  async post(url: string, fields: Record<string, string>, token: boolean | string = true): Promise<Res> {
    let body = new URLSearchParams(fields);
    if (token) {
      const page = await this.get(token === true ? url : token);
      const t = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(page.text())?.[1] ?? '';
      body = new URLSearchParams({ csrfmiddlewaretoken: t, ...fields });
    }
    return this.take(await call(this.s, url, { method: 'POST', body: body.toString(),
      headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded' } }));
  }
}

async function makeUser(username: string, password: string, extra: Record<string, unknown> = {}) {
  return User.objects.create({ username, password: await fast.encode(password), email: `${username}@example.com`, ...extra });
}

test('login with the right password signs in, cycles the session key and honours a safe next', async () => {
  await makeUser('alice', 'correct horse battery');
  const b = new Browser();
  await b.get('/accounts/login/');
  const before = b.jar.get('sessionid');
  const res = await b.post('/accounts/login/?next=/private/', { username: 'alice', password: 'correct horse battery', next: '/private/' });
  assert.equal(res.status, 302, res.text());
  assert.equal(res.headers.location, '/private/');
  assert.ok(b.jar.get('sessionid') && b.jar.get('sessionid') !== before);
  assert.equal((await b.get('/private/')).text(), 'hello alice');
  const u = await User.objects.get({ username: 'alice' });
  assert.ok(u.lastLogin instanceof Date);
});

test('session fixation: a session started before login is not the one used after', async () => {
  await makeUser('fixme', 'correct horse battery');
  const attacker = new Browser();
  await attacker.post('/accounts/login/', { username: 'nobody', password: 'x' }); // creates an anonymous session? (none is stored)
  const victim = new Browser(attacker.s);
  // The attacker plants their (valid-format) key in the victim's browser.
  victim.jar.set('sessionid', 'plantedkey0000000000000000000000');
  await victim.post('/accounts/login/', { username: 'fixme', password: 'correct horse battery' });
  const issued = victim.jar.get('sessionid');
  assert.notEqual(issued, 'plantedkey0000000000000000000000');
  const res = await call(victim.s, '/private/', { headers: { cookie: 'sessionid=plantedkey0000000000000000000000' } });
  assert.equal(res.status, 302, 'the planted key is not logged in');
});

test('a CSRF token from before the login is refused after it: login gives the visitor a new CSRF secret', async () => {
  await makeUser('csrf-rotation', 'correct horse battery');
  const b = new Browser();
  await b.get('/accounts/login/');
  const before = b.jar.get('csrftoken') ?? '';
  assert.equal(before.length, 43, 'the login page set a CSRF cookie');
  await b.post('/accounts/login/', { username: 'csrf-rotation', password: 'correct horse battery' });
  const after = b.jar.get('csrftoken') ?? '';
  assert.ok(after.length === 43 && after !== before, 'a new CSRF secret came with the login');
  // Someone who knew the old secret (planted it, or read a page made with it) sends it as the token.
  const res = await call(b.s, '/accounts/logout/', { method: 'POST', body: new URLSearchParams({ csrfmiddlewaretoken: before }).toString(),
    headers: { cookie: b.cookie, 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(res.status, 403, 'the old token no longer matches');
  assert.equal((await b.get('/private/')).text(), 'hello csrf-rotation', 'still logged in');
});

test('a wrong password, an unknown user or an inactive user gets the same error', async () => {
  await makeUser('bob', 'correct horse battery');
  await makeUser('inactive', 'correct horse battery', { isActive: false });
  for (const [username, password] of [['bob', 'wrong'], ['nosuchuser', 'whatever'], ['inactive', 'correct horse battery']] as const) {
    const res = await new Browser().post('/accounts/login/', { username, password });
    assert.equal(res.status, 200);
    assert.match(res.text(), /Please enter a correct username and password/);
  }
});

test('an open redirect through next is refused', async () => {
  await makeUser('carol', 'correct horse battery');
  for (const evil of ['https://evil.example/', '//evil.example/', '/\\evil.example', 'javascript:alert(1)', 'http://testserver.evil.example/']) {
    const res = await new Browser().post(`/accounts/login/?next=${encodeURIComponent(evil)}`, { username: 'carol', password: 'correct horse battery', next: evil });
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, '/', evil);
  }
});

test('login throttling locks an account after repeated failures, even with the right password', async () => {
  await makeUser('dave', 'correct horse battery');
  const b = new Browser();
  for (let i = 0; i < 3; i++) await b.post('/accounts/login/', { username: 'dave', password: `wrong${i}` });
  const res = await b.post('/accounts/login/', { username: 'dave', password: 'correct horse battery' });
  assert.equal(res.status, 429);
  assert.match(res.text(), /Too many failed logins/);
  assert.equal(b.jar.has('sessionid'), false);
});

test('hash upgrade on login: an old MD5 / SHA1 / low-iteration hash is replaced by the preferred hasher', async () => {
  const olds = {
    md5user: await new MD5PasswordHasher().encode('correct horse battery'),
    sha1user: await new PBKDF2SHA1PasswordHasher({ iterations: 1000 }).encode('correct horse battery'),
    weakuser: await new PBKDF2PasswordHasher({ iterations: 10 }).encode('correct horse battery'),
  };
  for (const [username, hash] of Object.entries(olds)) {
    await User.objects.create({ username, password: hash });
    const res = await new Browser().post('/accounts/login/', { username, password: 'correct horse battery' });
    assert.equal(res.status, 302, username);
    const stored = (await User.objects.get({ username })).password;
    assert.notEqual(stored, hash);
    assert.match(stored, /^pbkdf2_sha256\$1000\$/, `${username}: ${stored}`);
  }
});

test('logout needs POST with a CSRF token and ends the session', async () => {
  await makeUser('erin', 'correct horse battery');
  const b = new Browser();
  await b.post('/accounts/login/', { username: 'erin', password: 'correct horse battery' });
  assert.equal((await b.get('/accounts/logout/')).status, 405, 'a GET (an <img> on another site) cannot log out');
  assert.equal((await b.post('/accounts/logout/', {}, false)).status, 403, 'no token, no logout');
  const out = await b.post('/accounts/logout/', {}, '/accounts/login/');
  assert.equal(out.status, 302);
  assert.equal((await b.get('/private/')).status, 302);
});

test('loginRequired redirects anonymous visitors to login with next; permissionRequired answers 403 without the permission', async () => {
  const b = new Browser();
  const res = await b.get('/private/?x=1');
  assert.equal(res.status, 302);
  assert.equal(res.headers.location, '/accounts/login/?next=%2Fprivate%2F%3Fx%3D1');
  await makeUser('frank', 'correct horse battery');
  await b.post('/accounts/login/', { username: 'frank', password: 'correct horse battery' });
  assert.equal((await b.get('/publish/')).status, 403);
  const perm = await Permission.objects.create({ app: 'blog', codename: 'publish_post', name: 'Can publish' });
  const frank = await User.objects.get({ username: 'frank' });
  await frank.userPermissions.add(perm);
  assert.equal((await b.get('/publish/')).text(), 'published');
});

test('password change: old password checked, validators applied, other sessions logged out, this one kept', async () => {
  await makeUser('gina', 'correct horse battery');
  const a = new Browser();
  const other = new Browser(a.s);
  await a.post('/accounts/login/', { username: 'gina', password: 'correct horse battery' });
  await other.post('/accounts/login/', { username: 'gina', password: 'correct horse battery' });
  const wrongOld = await a.post('/accounts/password_change/', { oldPassword: 'nope', newPassword1: 'violet-harbour-71', newPassword2: 'violet-harbour-71' });
  assert.match(wrongOld.text(), /old password was entered incorrectly/);
  const weak = await a.post('/accounts/password_change/', { oldPassword: 'correct horse battery', newPassword1: 'password', newPassword2: 'password' });
  assert.match(weak.text(), /too common/);
  const ok = await a.post('/accounts/password_change/', { oldPassword: 'correct horse battery', newPassword1: 'violet-harbour-71', newPassword2: 'violet-harbour-71' });
  assert.match(ok.text(), /Your password was changed/);
  assert.equal((await a.get('/private/')).text(), 'hello gina');
  assert.equal((await other.get('/private/')).status, 302, 'the other session is logged out');
});

test('password reset: same answer for unknown addresses, a single-use link, and the new password works', async () => {
  await makeUser('hank', 'correct horse battery');
  const b = new Browser();
  const unknown = await b.post('/accounts/password_reset/', { email: 'nobody@example.com' });
  const known = await b.post('/accounts/password_reset/', { email: 'HANK@example.com' });
  assert.equal(unknown.text(), known.text(), 'no account discovery');
  const mail = outbox.outbox.at(-1);
  assert.deepEqual(mail?.to, ['hank@example.com']);
  const link = /http:\/\/testserver(\/accounts\/reset\/[^\s]+)/.exec(mail?.body ?? '')?.[1] ?? '';
  assert.ok(link);
  assert.equal((await b.get(link)).status, 200);
  const bad = link.replace(/\/([^/]+)\/$/, (_m, t: string) => `/${t.slice(0, -1)}${t.endsWith('a') ? 'b' : 'a'}/`);
  assert.equal((await b.get(bad)).status, 400, 'a tampered token is refused');
  const set = await b.post(link, { newPassword1: 'new-violet-harbour-72', newPassword2: 'new-violet-harbour-72' });
  assert.match(set.text(), /Your password has been set/);
  assert.equal((await b.get(link)).status, 400, 'the link cannot be used twice');
  const login = await new Browser(b.s).post('/accounts/login/', { username: 'hank', password: 'new-violet-harbour-72' });
  assert.equal(login.status, 302);
});

test('createsuperuser validates the password and makes a staff superuser', async () => {
  await assert.rejects(createSuperuser({ username: 'root', password: '123' }), /too short/);
  const u = await createSuperuser({ username: 'root', email: 'root@example.com', password: 'violet-harbour-73' });
  assert.equal(u.isSuperuser, true);
  assert.equal(u.isStaff, true);
  assert.match(u.password, /^pbkdf2_sha256\$/);
  await assert.rejects(createSuperuser({ username: 'root', password: 'violet-harbour-73' }), /already taken/);
  assert.doesNotMatch(JSON.stringify(u), /pbkdf2/, 'a serialised user never carries the hash');
});
