import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLogin } from '../src/accounts/accounts.js';
import { hashPassword } from '../src/accounts/password.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import { call, signup } from './support/api.js';

describe('accounts, sessions, API tokens, password reset', () => {
  let t: TestPlatform;
  before(async () => { t = await startTestPlatform(); });
  after(async () => { await t.close(); });

  test('signup answers the session token in the body and an HttpOnly SameSite cookie', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/auth/signup', payload: { email: `Mixed.Case-${Date.now()}@Example.test`, password: 'a long enough password' } });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.match(body.session.token, /^pds_/);
    assert.equal(body.account.email, body.account.email.toLowerCase());
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /paddock_session=pds_/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.doesNotMatch(cookie, /Secure/, 'Secure only outside dev/test');
    // The cookie alone authenticates the dashboard.
    const me = await t.app.inject({ url: '/v1/auth/me', cookies: { paddock_session: body.session.token } });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().organisations[0].role, 'owner');
    // Passwords are stored as scrypt hashes, never in clear.
    const row = await t.platform.db.selectFrom('accounts').select('password_hash').where('id', '=', body.account.id).executeTakeFirstOrThrow();
    assert.match(row.password_hash, /^scrypt\$10\$8\$1\$/);
    assert.doesNotMatch(row.password_hash, /a long enough password/);
  });

  test('signup with a taken email is refused with PDK_EMAIL_TAKEN', async () => {
    const u = await signup(t.app);
    const again = await call(t.app, undefined, 'POST', '/v1/auth/signup', { email: u.email.toUpperCase(), password: 'another password!' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'PDK_EMAIL_TAKEN');
  });

  test('bad input answers 400 PDK_VALIDATION in the one error shape', async () => {
    const res = await call(t.app, undefined, 'POST', '/v1/auth/signup', { email: 'not-an-email', password: 'x' });
    assert.equal(res.status, 400);
    assert.deepEqual(Object.keys(res.body), ['error']);
    assert.equal(res.body.error.code, 'PDK_VALIDATION');
    const bad = await t.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email": ' });
    assert.equal(bad.statusCode, 400);
    assert.equal(typeof bad.json().error.code, 'string');
  });

  test('login with a wrong password or unknown email is refused alike; the right one logs in', async () => {
    const u = await signup(t.app);
    const wrong = await call(t.app, undefined, 'POST', '/v1/auth/login', { email: u.email, password: 'wrong password' });
    const unknown = await call(t.app, undefined, 'POST', '/v1/auth/login', { email: `nobody-${Date.now()}@example.test`, password: 'wrong password' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    const ok = await call(t.app, undefined, 'POST', '/v1/auth/login', { email: u.email, password: u.password });
    assert.equal(ok.status, 200);
    assert.match(ok.body.session.token, /^pds_/);
  });

  test('logout ends the session: its token stops working', async () => {
    const u = await signup(t.app);
    assert.equal((await call(t.app, u.token, 'GET', '/v1/auth/me')).status, 200);
    assert.equal((await call(t.app, u.token, 'POST', '/v1/auth/logout')).status, 204);
    const after = await call(t.app, u.token, 'GET', '/v1/auth/me');
    assert.equal(after.status, 401);
    assert.equal(after.body.error.code, 'PDK_UNAUTHENTICATED');
  });

  test('a password hashed with an older cost is re-hashed at login with the current one', async () => {
    const u = await signup(t.app);
    const old = await hashPassword(u.password, 11);
    await t.platform.db.updateTable('accounts').set({ password_hash: old }).where('id', '=', u.accountId).execute();
    const account = await checkLogin(t.platform, u.email, u.password);
    assert.ok(account);
    const row = await t.platform.db.selectFrom('accounts').select('password_hash').where('id', '=', u.accountId).executeTakeFirstOrThrow();
    assert.match(row.password_hash, /^scrypt\$10\$/);
    assert.notEqual(row.password_hash, old);
    assert.ok(await checkLogin(t.platform, u.email, u.password), 'the new hash still verifies');
  });

  test('API tokens are shown once, stored hashed, scoped, revocable, with their last use', async () => {
    const u = await signup(t.app);
    const created = await call(t.app, u.token, 'POST', '/v1/tokens', { name: 'ci', scopes: ['read'] });
    assert.equal(created.status, 201);
    const token: string = created.body.token;
    assert.match(token, /^pdt_/);
    const stored = await t.platform.db.selectFrom('api_tokens').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
    assert.ok(!stored.token_hash.toString('utf8').includes(token) && stored.token_hash.length === 32);
    const list = await call(t.app, u.token, 'GET', '/v1/tokens');
    assert.equal(list.body.tokens.length, 1);
    assert.equal(list.body.tokens[0].token, undefined, 'never listed again');
    assert.equal(list.body.tokens[0].lastUsedAt, null);

    // read scope: GETs work, changes do not.
    assert.equal((await call(t.app, token, 'GET', '/v1/sites')).status, 200);
    const write = await call(t.app, token, 'POST', '/v1/sites', { name: `x-${Date.now()}` });
    assert.equal(write.status, 403);
    assert.equal(write.body.error.code, 'PDK_TOKEN_SCOPE');
    // A read token cannot mint itself a write token.
    assert.equal((await call(t.app, token, 'POST', '/v1/tokens', { name: 'escalate', scopes: ['write'] })).status, 403);
    // Nor may anyone but operators create admin tokens.
    assert.equal((await call(t.app, u.token, 'POST', '/v1/tokens', { name: 'admin', scopes: ['admin'] })).body.error.code, 'PDK_OPERATOR_ONLY');

    await new Promise((r) => setTimeout(r, 50));
    const used = await call(t.app, u.token, 'GET', '/v1/tokens');
    assert.ok(used.body.tokens[0].lastUsedAt, 'last use recorded');

    assert.equal((await call(t.app, u.token, 'DELETE', `/v1/tokens/${created.body.id}`)).status, 204);
    assert.equal((await call(t.app, token, 'GET', '/v1/sites')).status, 401);
    // Another account cannot revoke (or learn of) my tokens.
    const other = await signup(t.app);
    const mine = await call(t.app, u.token, 'POST', '/v1/tokens', { name: 'keep', scopes: ['read', 'write'] });
    assert.equal((await call(t.app, other.token, 'DELETE', `/v1/tokens/${mine.body.id}`)).status, 404);
    assert.equal((await call(t.app, mine.body.token, 'GET', '/v1/auth/me')).status, 200);
  });

  test('password reset: the emailed link sets a new password once, ends old sessions, and forged or reused links fail', async () => {
    const u = await signup(t.app);
    const before = t.platform.mailer.sent.length;
    const unknown = await call(t.app, undefined, 'POST', '/v1/auth/password-reset', { email: `nobody-${Date.now()}@example.test` });
    assert.equal(unknown.status, 202);
    assert.equal(t.platform.mailer.sent.length, before, 'no mail for an unknown address');

    const asked = await call(t.app, undefined, 'POST', '/v1/auth/password-reset', { email: u.email });
    assert.equal(asked.status, 202);
    assert.deepEqual(asked.body, unknown.body, 'same answer whether or not the account exists');
    const mail = t.platform.mailer.sent.at(-1)!;
    assert.equal(mail.to, u.email);
    const link = /https?:\/\/\S+reset-password\?token=(\S+)/.exec(mail.text);
    assert.ok(link, mail.text);
    const token = decodeURIComponent(link[1]!);

    const [payload, mac] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ a: u.accountId, e: Date.now() + 1e9 })).toString('base64url')}.${mac}`;
    assert.equal((await call(t.app, undefined, 'POST', '/v1/auth/password-reset/confirm', { token: forged, password: 'attacker password' })).body.error.code, 'PDK_RESET_TOKEN_INVALID');
    assert.ok(payload);

    const done = await call(t.app, undefined, 'POST', '/v1/auth/password-reset/confirm', { token, password: 'my brand new password' });
    assert.equal(done.status, 204, JSON.stringify(done.body));
    assert.equal((await call(t.app, u.token, 'GET', '/v1/auth/me')).status, 401, 'old sessions end');
    assert.equal((await call(t.app, undefined, 'POST', '/v1/auth/login', { email: u.email, password: u.password })).status, 401);
    assert.equal((await call(t.app, undefined, 'POST', '/v1/auth/login', { email: u.email, password: 'my brand new password' })).status, 200);
    const reused = await call(t.app, undefined, 'POST', '/v1/auth/password-reset/confirm', { token, password: 'yet another password' });
    assert.equal(reused.status, 400);
    assert.equal(reused.body.error.code, 'PDK_RESET_TOKEN_INVALID');
  });
});

describe('rate limits', () => {
  let t: TestPlatform;
  before(async () => { t = await startTestPlatform({ env: { PADDOCK_AUTH_RATE_LIMIT: '3' } }); });
  after(async () => { await t.close(); });

  test('login is rate limited per address with PDK_RATE_LIMITED', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await call(t.app, undefined, 'POST', '/v1/auth/login', { email: 'someone@example.test', password: `guess ${i}` });
      codes.push(r.status);
      if (r.status === 429) assert.equal(r.body.error.code, 'PDK_RATE_LIMITED');
    }
    assert.deepEqual(codes, [401, 401, 401, 429, 429]);
    // Other routes are not limited by it.
    assert.equal((await t.app.inject('/healthz')).statusCode, 200);
  });

  test('behind the dashboard (a trusted loopback proxy) each forwarded client has its own budget', async () => {
    const as = (ip: string) => t.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'x-forwarded-for': ip }, payload: { email: 'someone@example.test', password: 'guess' } });
    for (let i = 0; i < 3; i++) assert.equal((await as('203.0.113.7')).statusCode, 401);
    assert.equal((await as('203.0.113.7')).statusCode, 429);
    assert.equal((await as('203.0.113.8')).statusCode, 401, 'another client is not limited by the first');
  });

  test('a peer that is not a trusted proxy cannot dodge the limit by sending X-Forwarded-For', async () => {
    const from = (peer: string, forwarded: string) => t.app.inject({
      method: 'POST', url: '/v1/auth/login', remoteAddress: peer,
      headers: { 'x-forwarded-for': forwarded }, payload: { email: 'someone@example.test', password: 'guess' },
    });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await from('198.51.100.20', `203.0.113.${100 + i}`)).statusCode);
    assert.deepEqual(codes, [401, 401, 401, 429], 'every forged address counted as the peer itself');
    assert.equal((await from('198.51.100.21', '203.0.113.100')).statusCode, 401, 'another untrusted peer has its own budget');
    // A trusted peer (loopback) forwarding one of the forged addresses: that client is untouched.
    assert.equal((await from('127.0.0.1', '203.0.113.101')).statusCode, 401);
  });
});
