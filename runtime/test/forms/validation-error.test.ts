// One ValidationError for the whole runtime: the class the package exports is the one forms catch, model fullClean()
// and field checks raise, and validators throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csrfExempt, fields as dbFields, model, NON_FIELD_ERRORS, path, Response, ValidationError, type Request } from '@paddock/runtime';
import { defineForm, fields } from '@paddock/runtime/forms';
import { call, makeSite } from '../helpers/site.js';

const noAdmin = (v: string) => {
  if (v.toLowerCase().includes('admin')) throw new ValidationError('“{value}” is reserved.', 'reserved', { value: v });
};
const Signup = defineForm({ username: fields.char({ maxLength: 30, validators: [noAdmin] }) });

const site = makeSite({
  urls: [path('signup/', csrfExempt(async (req: Request) => {
    const form = new Signup({ data: Object.fromEntries(req.form) });
    if (await form.isValid()) return new Response(`welcome ${form.cleanedData.username}`);
    return new Response(String(form.asDiv()), { status: 400 });
  }))],
});

test('a form field validator that throws the exported ValidationError shows as a form error, not a 500', async () => {
  const res = await call(site, '/signup/', {
    method: 'POST', body: 'username=superadmin', headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(res.status, 400, res.text());
  assert.match(res.text(), /<ul class="errorlist"[^>]*><li>“superadmin” is reserved\.<\/li><\/ul>/);
  const form = new Signup({ data: { username: 'admin' } });
  assert.equal(await form.isValid(), false);
  assert.deepEqual(form.errors.username, [{ code: 'reserved', message: '“admin” is reserved.', params: { value: 'admin' } }]);
  const ok = await call(site, '/signup/', { method: 'POST', body: 'username=alice', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(ok.text(), 'welcome alice');
});

test('the ORM raises the same class: fullClean() gives per-field issues with codes that a form or a view can read', async () => {
  const Note = model('verrtest.Note', {
    id: dbFields.auto(),
    title: dbFields.char({ maxLength: 5 }),
    kind: dbFields.char({ maxLength: 5, choices: [['a', 'A']] }),
    body: dbFields.text({ validators: [(v: string) => { if (v.includes('spam')) throw new ValidationError('No spam.', 'spam'); }] }),
  });
  const note = new Note({ title: 'too long', kind: 'z', body: 'spam' });
  await assert.rejects(note.fullClean(), (e: unknown) => {
    assert.ok(e instanceof ValidationError);
    assert.deepEqual(Object.keys(e.fieldIssues).sort(), ['body', 'kind', 'title']);
    assert.equal(e.fieldIssues.kind?.[0]?.code, 'invalid_choice');
    assert.deepEqual(e.fieldIssues.body, [{ code: 'spam', message: 'No spam.' }]);
    assert.match(e.errors.title?.[0] ?? '', /at most 5 characters/);
    assert.equal(e.status, 400);
    return true;
  });
});

test('the list and dict forms combine: issues, errors by field (NON_FIELD_ERRORS for the rest) and every message', () => {
  const inner = new ValidationError({ email: 'Taken.' });
  const e = new ValidationError([{ code: 'a', message: 'First.' }, 'Second.', inner]);
  assert.deepEqual(e.issues.map((i) => [i.code, i.message]), [['a', 'First.'], ['invalid', 'Second.']]);
  assert.deepEqual(e.errors, { [NON_FIELD_ERRORS]: ['First.', 'Second.'], email: ['Taken.'] });
  assert.deepEqual(e.messages, ['First.', 'Second.', 'Taken.']);
  const byField = new ValidationError({ password2: [{ code: 'mismatch', message: 'The passwords differ.' }], age: ['Too young.', 'Not a number.'] });
  assert.equal(byField.message, 'password2: The passwords differ.; age: Too young. Not a number.');
  assert.equal(byField.code, 'PDK_VALIDATION');
  assert.equal(new ValidationError('{n} is more than {max}; {unknown} stays.', 'max', { n: 7, max: 5 }).message, '7 is more than 5; {unknown} stays.');
});
