// Attacks by someone holding a stolen credential: it must not outlive a password reset, nor mint
// itself a longer-lived one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resetToken } from '../../src/accounts/password-reset.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { call, signup } from '../support/api.js';

let t: TestPlatform;
before(async () => { t = await startTestPlatform(); });
after(() => t.close());

test('a password reset revokes every API token of the account, not only its sessions', async () => {
  const u = await signup(t.app, 'reset-tokens');
  const stolen = (await call(t.app, u.token, 'POST', '/v1/tokens', { name: 'ci', scopes: ['read', 'write'] })).body.token as string;
  assert.equal((await call(t.app, stolen, 'GET', '/v1/sites')).status, 200, 'the token works before the reset');

  const account = await t.platform.db.selectFrom('accounts').select(['id', 'password_hash']).where('id', '=', u.accountId).executeTakeFirstOrThrow();
  const done = await call(t.app, undefined, 'POST', '/v1/auth/password-reset/confirm', { token: resetToken(t.platform, account), password: 'a fresh password after theft' });
  assert.equal(done.status, 204, JSON.stringify(done.body));

  assert.equal((await call(t.app, stolen, 'GET', '/v1/sites')).status, 401, 'the stolen token no longer works');
  const tokens = await t.platform.db.selectFrom('api_tokens').select(['revoked_at']).where('account_id', '=', u.accountId).execute();
  assert.ok(tokens.length > 0 && tokens.every((r) => r.revoked_at !== null), 'listed as revoked, so the owner sees why');
});

test('an API token cannot create API tokens; a logged-in session can', async () => {
  const u = await signup(t.app, 'mint');
  const leaked = await call(t.app, u.token, 'POST', '/v1/tokens', { name: 'ci', scopes: ['read', 'write'], expiresInDays: 1 });
  assert.equal(leaked.status, 201);

  const minted = await call(t.app, leaked.body.token, 'POST', '/v1/tokens', { name: 'forever', scopes: ['read', 'write'] });
  assert.equal(minted.status, 403, JSON.stringify(minted.body));
  assert.equal(minted.body.error.code, 'PDK_SESSION_REQUIRED');
  const rows = await t.platform.db.selectFrom('api_tokens').select(['name']).where('account_id', '=', u.accountId).execute();
  assert.deepEqual(rows.map((r) => r.name), ['ci'], 'no token was created');
});
