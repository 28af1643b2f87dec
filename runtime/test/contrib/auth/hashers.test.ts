import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PasswordHashers, PBKDF2PasswordHasher, PBKDF2SHA1PasswordHasher, ScryptPasswordHasher, MD5PasswordHasher,
  defaultPasswordHashers, isPasswordUsable,
} from '@paddock/runtime/contrib/auth';

// Produced by Django 3.2 (Debian's python3-django) and Python's hashlib.scrypt in Django 4's format.
const DJANGO = {
  pbkdf2_sha256: 'pbkdf2_sha256$1000$seasalt$mQnueSakb748zqBAC1tmWVZsZbi2zPGZarEzTGdfmso=',
  pbkdf2_sha1: 'pbkdf2_sha1$1000$seasalt$iQvkNOF1wEL4Khh8eogJ8rUhipM=',
  md5: 'md5$seasalt$b614725f4cc025a51ab6a354d12890ab',
  scrypt: 'scrypt$1024$seasalt$8$1$b9vqOe0B5HZh2f10Q9RPN9OFNPtmb+ezp5YOlnZsJQ0vQ5I3eq8Zt7GFMuqQ58xCxTIvVL1QCL/PTXEWr+RNHA==',
};

test('hashes written by Django verify with the right password and fail with a wrong one', async () => {
  const hashers = new PasswordHashers([new PBKDF2PasswordHasher(), new PBKDF2SHA1PasswordHasher(), new ScryptPasswordHasher(), new MD5PasswordHasher()]);
  for (const [alg, encoded] of Object.entries(DJANGO)) {
    assert.equal((await hashers.check('correct horse', encoded)).valid, true, alg);
    assert.equal((await hashers.check('correct horsf', encoded)).valid, false, alg);
  }
});

test('our hashes are byte-identical to Django\'s for the same salt and parameters', async () => {
  assert.equal(await new PBKDF2PasswordHasher().encode('correct horse', 'seasalt', 1000), DJANGO.pbkdf2_sha256);
  assert.equal(await new PBKDF2SHA1PasswordHasher().encode('correct horse', 'seasalt', 1000), DJANGO.pbkdf2_sha1);
  assert.equal(await new ScryptPasswordHasher().encode('correct horse', 'seasalt', 1024, 8, 1), DJANGO.scrypt);
});

test('the default hasher is PBKDF2-SHA256 with at least Django 5\'s 1,000,000 iterations and a random salt', async () => {
  const hashers = new PasswordHashers(defaultPasswordHashers());
  const a = await hashers.make('s3cret pass');
  const b = await hashers.make('s3cret pass');
  const [alg, iterations, salt] = a.split('$');
  assert.equal(alg, 'pbkdf2_sha256');
  assert.ok(Number(iterations) >= 1_000_000);
  assert.ok((salt ?? '').length >= 22);
  assert.notEqual(a, b, 'salts differ');
  assert.equal((await hashers.check('s3cret pass', a)).valid, true);
  assert.equal(hashers.needsUpgrade(a), false);
});

test('an older algorithm or fewer iterations needs an upgrade, and a correct login stores the preferred hash', async () => {
  const preferred = new PBKDF2PasswordHasher({ iterations: 2000 });
  const hashers = new PasswordHashers([preferred, new PBKDF2SHA1PasswordHasher(), new MD5PasswordHasher()]);
  for (const old of [DJANGO.pbkdf2_sha256, DJANGO.pbkdf2_sha1, DJANGO.md5]) {
    assert.equal(hashers.needsUpgrade(old), true);
    let stored = old;
    assert.equal(await hashers.checkAndUpgrade('wrong', stored, (h) => { stored = h; }), false);
    assert.equal(stored, old, 'a failed login changes nothing');
    assert.equal(await hashers.checkAndUpgrade('correct horse', stored, (h) => { stored = h; }), true);
    assert.match(stored, /^pbkdf2_sha256\$2000\$/);
    assert.equal(hashers.needsUpgrade(stored), false);
    assert.equal((await hashers.check('correct horse', stored)).valid, true);
  }
});

test('a hash whose hasher is not configured, or that is malformed, never verifies', async () => {
  const hashers = new PasswordHashers([new PBKDF2PasswordHasher({ iterations: 1000 })]);
  for (const encoded of [DJANGO.md5, DJANGO.scrypt, 'pbkdf2_sha256$$seasalt$x', 'pbkdf2_sha256$abc$salt$x', 'pbkdf2_sha256',
    'pbkdf2_sha256$1000$seasalt$mQnueSakb748zqBAC1tmWVZsZbi2zPGZarEzTGdfmso=$extra', '', 'plaintext']) {
    assert.equal((await hashers.check('correct horse', encoded)).valid, false, encoded);
  }
  // Guard against a stored hash being the password itself.
  assert.equal((await hashers.check('correct horse', 'correct horse')).valid, false);
});

test('an attacker-supplied hash with absurd work factors is refused instead of pinning the CPU', async () => {
  const hashers = new PasswordHashers([new PBKDF2PasswordHasher(), new ScryptPasswordHasher()]);
  const t0 = Date.now();
  assert.equal((await hashers.check('x', 'pbkdf2_sha256$999999999999$salt$AAAA')).valid, false);
  assert.equal((await hashers.check('x', 'scrypt$1073741824$salt$8$1$AAAA')).valid, false);
  assert.equal((await hashers.check('x', 'scrypt$1000$salt$8$1$AAAA')).valid, false, 'N not a power of two');
  assert.ok(Date.now() - t0 < 1000);
});

test('an unusable password never matches, not even the empty string or the marker itself', async () => {
  const hashers = new PasswordHashers([new MD5PasswordHasher()]);
  const unusable = await hashers.make(null);
  assert.equal(isPasswordUsable(unusable), false);
  for (const attempt of ['', '!', unusable, unusable.slice(1)]) assert.equal((await hashers.check(attempt, unusable)).valid, false);
  assert.equal((await hashers.check(null, DJANGO.md5)).valid, false);
  assert.equal(hashers.needsUpgrade(unusable), false);
});

test('a failed check on an outdated hash costs as much as one on a current hash (no timing oracle)', async () => {
  // Counted in PBKDF2 iterations actually run, not in milliseconds: wall time measures the machine.
  class CountingHasher extends PBKDF2PasswordHasher {
    ran = 0;
    override async encode(password: string, salt?: string, iterations = this.iterations): Promise<string> {
      this.ran += iterations;
      return super.encode(password, salt, iterations);
    }
  }
  const preferred = new CountingHasher({ iterations: 200_000 });
  const hashers = new PasswordHashers([preferred]);
  const weak = await new PBKDF2PasswordHasher({ iterations: 1000 }).encode('pw', 'salt', 1000);
  const current = await new PBKDF2PasswordHasher({ iterations: 200_000 }).encode('pw', 'salt2');

  preferred.ran = 0;
  assert.equal((await hashers.check('wrong', weak)).valid, false);
  const onOutdated = preferred.ran;
  preferred.ran = 0;
  assert.equal((await hashers.check('wrong', current)).valid, false);
  const onCurrent = preferred.ran;

  assert.equal(onCurrent, 200_000);
  assert.equal(onOutdated, onCurrent, 'a wrong password against an old, cheap hash must cost the preferred iterations too');
});

test('an empty hasher list is a configuration error', () => {
  assert.throws(() => new PasswordHashers([]), /PASSWORD_HASHERS is empty/);
});
