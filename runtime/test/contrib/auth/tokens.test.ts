import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PasswordResetTokenGenerator, type TokenUser, LoginThrottle } from '@paddock/runtime/contrib/auth';
import { RedisCache } from '@paddock/runtime/cache';

const secret = 'reset-secret-'.repeat(4);
const user = (): TokenUser => ({ pk: 7, password: 'pbkdf2_sha256$1000000$salt$hash', lastLogin: new Date('2026-01-01T10:00:00.123Z'), email: 'a@example.com' });

test('a reset token verifies for its user and not for another', () => {
  const gen = new PasswordResetTokenGenerator({ secret });
  const token = gen.make(user());
  assert.match(token, /^[0-9a-z]+-[0-9a-f]{32}$/);
  assert.equal(gen.check(user(), token), true);
  assert.equal(gen.check({ ...user(), pk: 8 }, token), false);
  assert.equal(gen.check(user(), ''), false);
  assert.equal(gen.check(null, token), false);
});

test('a reset token cannot be reused: changing the password, logging in or changing e-mail invalidates it', () => {
  const gen = new PasswordResetTokenGenerator({ secret });
  const token = gen.make(user());
  assert.equal(gen.check({ ...user(), password: 'pbkdf2_sha256$1000000$salt$NEWHASH' }, token), false, 'after the reset itself');
  assert.equal(gen.check({ ...user(), lastLogin: new Date('2026-01-02T00:00:00Z') }, token), false, 'after a login');
  assert.equal(gen.check({ ...user(), email: 'attacker@example.com' }, token), false);
  assert.equal(gen.check({ ...user(), lastLogin: new Date('2026-01-01T10:00:00.999Z') }, token), true, 'sub-second precision is ignored');
});

test('a reset token expires after the timeout, and its timestamp cannot be moved forward', () => {
  let now = Date.UTC(2026, 5, 1);
  const gen = new PasswordResetTokenGenerator({ secret, timeout: 3600, now: () => now });
  const token = gen.make(user());
  now += 3600_000;
  assert.equal(gen.check(user(), token), true);
  now += 1000;
  assert.equal(gen.check(user(), token), false);
  const [, hash] = token.split('-');
  const fresh = Math.floor((now - Date.UTC(2001, 0, 1)) / 1000).toString(36);
  assert.equal(gen.check(user(), `${fresh}-${hash}`), false);
});

test('tokens made with a rotated-out secret verify only while it is listed as a fallback', () => {
  const old = new PasswordResetTokenGenerator({ secret: 'old-secret' });
  const token = old.make(user());
  assert.equal(new PasswordResetTokenGenerator({ secret }).check(user(), token), false);
  assert.equal(new PasswordResetTokenGenerator({ secret, fallbackSecrets: ['old-secret'] }).check(user(), token), true);
});

test('malformed tokens are refused without throwing', () => {
  const gen = new PasswordResetTokenGenerator({ secret });
  for (const bad of ['-', 'zzzzzzzzzzzzzzzzzzzz-abc', 'abc', '../x-y', `${'9'.repeat(12)}-${'a'.repeat(32)}`, 'AB-cd']) {
    assert.equal(gen.check(user(), bad), false, bad);
  }
});

test('login throttling refuses an account after repeated failures and an address that sprays many accounts', async () => {
  const cache = new RedisCache({ url: process.env.PADDOCK_CACHE_ADMIN_URL as string, keyPrefix: `test-throttle-${randomBytes(6).toString('hex')}` });
  try {
    const throttle = new LoginThrottle(cache, { perUser: 3, perAddress: 5, window: 60 });
    for (let i = 0; i < 3; i++) {
      assert.equal((await throttle.check('alice', '10.0.0.1')).allowed, true);
      await throttle.recordFailure('alice', '10.0.0.1');
    }
    const refused = await throttle.check('Alice', '10.0.0.9');
    assert.equal(refused.allowed, false, 'per account, whatever the address and case');
    assert.equal(refused.retryAfter, 60);
    assert.equal((await throttle.check('bob', '10.0.0.2')).allowed, true);
    await throttle.recordFailure('bob', '10.0.0.1');
    await throttle.recordFailure('carol', '10.0.0.1');
    assert.equal((await throttle.check('dave', '10.0.0.1')).allowed, false, 'the address tried 5 times already');
    assert.equal((await throttle.check('dave', '10.0.0.3')).allowed, true);
    await throttle.recordSuccess('alice');
    assert.equal((await throttle.check('alice', '10.0.0.7')).allowed, true);
  } finally {
    await cache.clear();
    await cache.close();
  }
});
