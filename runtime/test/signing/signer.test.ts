import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { Signer, TimestampSigner, dumps, loads, b62Encode, b62Decode } from '@paddock/runtime/signing';
import { BadSignature, ImproperlyConfigured, SignatureExpired } from '@paddock/runtime';

const key = 'k'.repeat(50);

test('a signed value round-trips and its signature is Django\'s salted HMAC-SHA256', () => {
  const signer = new Signer({ key, salt: 'paddock.signing.Signer' });
  const signed = signer.sign('hello');
  assert.equal(signer.unsign(signed), 'hello');
  // Independent computation of Django's scheme: HMAC(key=sha256(salt + "signer" + secret), value), base64url without padding.
  const k = createHash('sha256').update('paddock.signing.Signersigner' + key).digest();
  assert.equal(signed, 'hello:' + createHmac('sha256', k).update('hello').digest('base64url'));
});

test('every tampering with a signed value is refused', () => {
  const signer = new Signer({ key });
  const signed = signer.sign('user=42');
  const attacks = [
    signed.replace('42', '43'),
    signed.slice(0, -1) + (signed.endsWith('A') ? 'B' : 'A'),
    signed.slice(0, -2),
    'user=43:' + signed.split(':')[1],
    'user=42',
    '',
    ':',
    signed + 'x',
  ];
  for (const bad of attacks) assert.throws(() => signer.unsign(bad), BadSignature, `accepted ${JSON.stringify(bad)}`);
});

test('a salt separates purposes: a value signed for one salt does not verify under another', () => {
  const a = new Signer({ key, salt: 'password-reset' });
  const b = new Signer({ key, salt: 'email-confirm' });
  assert.throws(() => b.unsign(a.sign('alice')), BadSignature);
});

test('a different key does not verify, and fallback keys let a rotated key keep reading old signatures', () => {
  const old = new Signer({ key: 'old-key' });
  const signedOld = old.sign('v');
  assert.throws(() => new Signer({ key: 'new-key' }).unsign(signedOld), BadSignature);
  const rotated = new Signer({ key: 'new-key', fallbackKeys: ['old-key'] });
  assert.equal(rotated.unsign(signedOld), 'v');
  // New signatures use the current key only.
  assert.throws(() => old.unsign(rotated.sign('v')), BadSignature);
});

test('a signer refuses an empty key and a separator that can appear in signatures', () => {
  assert.throws(() => new Signer({ key: '' }), ImproperlyConfigured);
  assert.throws(() => new Signer({ key, sep: '-' }), ImproperlyConfigured);
  assert.throws(() => new Signer({ key, sep: 'a' }), ImproperlyConfigured);
});

test('a timestamped signature expires after its max age and not before', () => {
  let now = 1_700_000_000_000;
  const signer = new TimestampSigner({ key, now: () => now });
  const signed = signer.sign('token');
  now += 59_000;
  assert.equal(signer.unsign(signed, 60), 'token');
  now += 2_000;
  assert.throws(() => signer.unsign(signed, 60), SignatureExpired);
  assert.throws(() => signer.unsign(signed, 60), BadSignature, 'expiry is a kind of bad signature');
  assert.equal(signer.unsign(signed), 'token', 'no max age: any age is accepted');
  assert.equal(signer.unsignWithTimestamp(signed).signedAt.getTime(), 1_700_000_000_000);
});

test('the timestamp cannot be moved forward to extend a token\'s life', () => {
  let now = 1_700_000_000_000;
  const signer = new TimestampSigner({ key, now: () => now });
  const signed = signer.sign('token');
  const [value, , sig] = signed.split(':');
  now += 3_600_000;
  const forged = `${value}:${b62Encode(Math.floor(now / 1000))}:${sig}`;
  assert.throws(() => signer.unsign(forged, 60), BadSignature);
});

test('a plain signature is not accepted where a timestamped one is expected', () => {
  const plain = new Signer({ key, salt: 's' });
  const stamped = new TimestampSigner({ key, salt: 's' });
  assert.throws(() => stamped.unsign(plain.sign('novalue')), BadSignature);
});

test('dumps and loads carry JSON objects, compressed when that is shorter, and honour max age', () => {
  let now = 1_000_000;
  const obj = { user: 7, items: Array.from({ length: 50 }, () => 'same text again') };
  const compressed = dumps(obj, { key, compress: true, now: () => now });
  const plain = dumps(obj, { key, now: () => now });
  assert.ok(compressed.startsWith('.'));
  assert.ok(compressed.length < plain.length);
  assert.deepEqual(loads(compressed, { key, now: () => now }), obj);
  assert.deepEqual(loads(plain, { key, maxAgeSeconds: 10, now: () => now }), obj);
  now += 11_000;
  assert.throws(() => loads(plain, { key, maxAgeSeconds: 10, now: () => now }), SignatureExpired);
  assert.throws(() => loads(compressed, { key, salt: 'other' }), BadSignature);
});

test('base62 timestamps round-trip and malformed ones are refused', () => {
  for (const n of [0, 1, 61, 62, 1_700_000_000, 2 ** 40]) assert.equal(b62Decode(b62Encode(n)), n);
  assert.throws(() => b62Decode('!!'), BadSignature);
  assert.throws(() => b62Decode(''), BadSignature);
});
