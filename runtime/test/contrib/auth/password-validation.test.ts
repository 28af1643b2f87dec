import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CommonPasswordValidator, MinimumLengthValidator, NumericPasswordValidator, UserAttributeSimilarityValidator,
  validatePassword, passwordHelpTexts,
} from '@paddock/runtime/contrib/auth';
// An internal of the similarity check, tested on its own.
import { quickRatio } from '../../../src/contrib/auth/password-validation.js';
import { ValidationError } from '@paddock/runtime';

function codes(fn: () => void): string[] {
  try {
    fn();
    return [];
  } catch (e) {
    assert.ok(e instanceof ValidationError);
    return e.issues.map((i) => i.code);
  }
}

test('a strong password passes every default validator', () => {
  assert.doesNotThrow(() => validatePassword('violet-harbour-71-kettle', { username: 'alice', email: 'alice@example.com' }));
});

test('validatePassword reports every failing rule at once', () => {
  assert.deepEqual(codes(() => validatePassword('1234')), ['password_too_short', 'password_too_common', 'password_entirely_numeric']);
});

test('the minimum length counts characters, not UTF-16 units', () => {
  const v = new MinimumLengthValidator(8);
  assert.equal(v.validate('😀😀😀😀').length, 1);
  assert.equal(v.validate('abcdefgh').length, 0);
  assert.equal(new MinimumLengthValidator(12).validate('abcdefghijk')[0]?.code, 'password_too_short');
});

test('the shipped common-password list holds about 20,000 entries and matches case-insensitively', () => {
  const v = new CommonPasswordValidator();
  assert.ok(v.size > 19_000, `only ${v.size}`);
  for (const pw of ['password', 'PASSWORD', 'letmein', 'qwerty123', 'Sandy123']) assert.equal(v.validate(pw)[0]?.code, 'password_too_common', pw);
  assert.equal(v.validate('violet-harbour-71-kettle').length, 0);
  assert.equal(new CommonPasswordValidator(['hunter2']).validate('Hunter2').length, 1);
});

test('an all-digit password is refused, including non-ASCII digits', () => {
  const v = new NumericPasswordValidator();
  assert.equal(v.validate('84950213').length, 1);
  assert.equal(v.validate('٣٤٥٦٧٨٩٠').length, 1);
  assert.equal(v.validate('8495021a').length, 0);
});

test('a password like the username or an e-mail part is refused; a long unrelated one is not', () => {
  const v = new UserAttributeSimilarityValidator();
  const user = { username: 'jrandom', email: 'jane.doe@example.com', firstName: 'Jane' };
  assert.equal(v.validate('jrandom1', user)[0]?.code, 'password_too_similar');
  assert.match(v.validate('jrandom1', user)[0]?.message ?? '', /username/);
  assert.equal(v.validate('doejane', user)[0]?.code, 'password_too_similar');
  assert.equal(v.validate('JANE.DOE@example.com', user)[0]?.code, 'password_too_similar');
  assert.match(v.validate('example!', user)[0]?.message ?? '', /email/);
  assert.equal(v.validate('violet-harbour-71-kettle', user).length, 0);
  assert.equal(v.validate('jrandom1').length, 0, 'no user, nothing to compare');
});

test('quickRatio matches difflib', () => {
  // difflib.SequenceMatcher(a='abcd', b='bcde').quick_ratio() == 0.75
  assert.equal(quickRatio('abcd', 'bcde'), 0.75);
  assert.equal(quickRatio('', ''), 1);
  assert.equal(quickRatio('aab', 'ab'), 0.8);
});

test('each validator has help text for forms', () => {
  assert.equal(passwordHelpTexts().length, 4);
});
