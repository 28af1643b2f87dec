import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineForm, fields, widgets, NON_FIELD_ERRORS } from '@paddock/runtime/forms';
import { ImproperlyConfigured, ValidationError } from '@paddock/runtime';

const SignupForm = defineForm({
  username: fields.char({ maxLength: 20, helpText: 'Letters & digits.' }),
  email: fields.email(),
  age: fields.integer({ required: false, minValue: 13 }),
  password: fields.password({ minLength: 8 }),
  password2: fields.password({ label: 'Password (again)' }),
  plan: fields.choice({ choices: [['free', 'Free'], ['pro', 'Pro <best>']], initial: 'free' }),
  role: fields.char({ disabled: true, initial: 'member' }),
  next: fields.char({ required: false, widget: widgets.hidden() }),
}, {
  cleanField: {
    username: (v) => {
      if (v.toLowerCase() === 'root') throw new ValidationError('That name is taken.', 'taken');
      return v.toLowerCase();
    },
  },
  clean(data) {
    if (data.password && data.password2 && data.password !== data.password2) {
      throw new ValidationError({ password2: [{ code: 'mismatch', message: 'The two passwords differ.' }] });
    }
  },
});

const good = { username: 'Alice', email: 'alice@example.com', age: '30', password: 'long enough', password2: 'long enough', plan: 'pro', role: 'admin' };

test('a valid submission cleans into typed values, with field hooks applied', async () => {
  const form = new SignupForm({ data: good });
  assert.equal(await form.isValid(), true, JSON.stringify(form.errors));
  const d = form.cleanedData;
  assert.equal(d.username, 'alice');
  const age: number | null = d.age;
  assert.equal(age, 30);
  assert.equal(d.plan, 'pro');
});

test('a disabled field keeps its initial value whatever the client submits', async () => {
  const form = new SignupForm({ data: { ...good, role: 'admin' } });
  assert.equal(await form.isValid(), true);
  assert.equal(form.cleanedData.role, 'member');
});

test('every error is collected: per field, from hooks, and across fields', async () => {
  const form = new SignupForm({ data: { username: 'root', email: 'nope', age: '5', password: 'long enough', password2: 'other', plan: 'gold' } });
  assert.equal(await form.isValid(), false);
  const codes = Object.fromEntries(Object.entries(form.errors).map(([k, v]) => [k, v.map((i) => i.code)]));
  assert.deepEqual(codes, {
    username: ['taken'], email: ['invalid'], age: ['min_value'], plan: ['invalid_choice'], password2: ['mismatch'],
  });
  assert.equal('username' in form.cleanedData, false, 'failed fields are not in cleanedData');
});

test('form-wide errors from clean() land under __all__ and render at the top', async () => {
  const F = defineForm({ a: fields.char() }, { clean() { throw new ValidationError('Something is off.'); } });
  const form = new F({ data: { a: 'x' } });
  assert.equal(await form.isValid(), false);
  assert.deepEqual(form.nonFieldErrors(), ['Something is off.']);
  assert.match(String(form.asDiv()), /^<ul class="errorlist nonfield"><li>Something is off\.<\/li><\/ul>/);
  assert.equal(form.errors[NON_FIELD_ERRORS]?.[0]?.code, 'invalid');
});

test('an unbound form is not valid, has no errors, and shows initial values', async () => {
  const form = new SignupForm();
  assert.equal(form.isBound, false);
  assert.equal(await form.isValid(), false);
  assert.deepEqual(form.errors, {});
  assert.match(String(form.field('plan').widgetHtml()), /<option value="free" selected>Free<\/option>/);
  assert.throws(() => new SignupForm({ data: good }).cleanedData, ImproperlyConfigured);
});

test('rendering ties labels, help text and errors to inputs for screen readers', async () => {
  const form = new SignupForm({ data: { ...good, email: 'bad' } });
  await form.isValid();
  const html = String(form.asDiv());
  assert.match(html, /<label for="id_username">Username:<\/label><div class="helptext" id="id_username_helptext">Letters &amp; digits\.<\/div>/);
  assert.match(html, /<ul class="errorlist" id="id_email_error"><li>Enter a valid email address\.<\/li><\/ul>/);
  assert.match(html, /<input type="email" name="email" value="bad" required maxlength="320" id="id_email" aria-describedby="id_email_error" aria-invalid="true">/);
  assert.match(html, /<input type="hidden" name="next" id="id_next">/);
  assert.doesNotMatch(html, /long enough/, 'passwords are not echoed back');
  assert.match(html, /<input type="text" name="role" value="member" disabled/);
});

test('submitted values, labels and choices are escaped: no XSS through a form', async () => {
  const attack = '"><script>alert(1)</script>';
  const F = defineForm({
    title: fields.char({ maxLength: 5, label: '<b>Title</b>', helpText: '<img src=x onerror=alert(1)>' }),
    body: fields.text(),
    kind: fields.choice({ choices: [[attack, attack]] }),
  });
  const form = new F({ data: { title: attack, body: `</textarea>${attack}`, kind: 'x' } });
  await form.isValid();
  const html = String(form.asDiv());
  assert.doesNotMatch(html, /<script>|<img|<b>|"><script|<\/textarea>&|<\/textarea>"/);
  assert.match(html, /&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
});

test('prefixes keep two forms in one page apart', async () => {
  const F = defineForm({ name: fields.char() });
  const a = new F({ prefix: 'a', data: { 'a-name': 'first', 'b-name': 'second' } });
  const b = new F({ prefix: 'b', data: { 'a-name': 'first', 'b-name': 'second' } });
  assert.ok(await a.isValid());
  assert.ok(await b.isValid());
  assert.equal(a.cleanedData.name, 'first');
  assert.equal(b.cleanedData.name, 'second');
  assert.match(String(a.asDiv()), /name="a-name"[^>]*id="id_a-name"/);
});

test('a POST form renders the CSRF token; it refuses to render without one; GET forms carry none', () => {
  const F = defineForm({ q: fields.char({ required: false }) });
  const html = String(new F().renderForm({ action: '/search/', request: { csrfToken: () => 'tok"en' } }));
  assert.match(html, /^<form method="post" action="\/search\/"><input type="hidden" name="csrfmiddlewaretoken" value="tok&quot;en">/);
  assert.throws(() => new F().renderForm(), ImproperlyConfigured);
  assert.doesNotMatch(String(new F().renderForm({ method: 'get' })), /csrfmiddlewaretoken/);
});

test('a form with a file field switches to multipart encoding', () => {
  const F = defineForm({ doc: fields.file({ allowedExtensions: ['pdf'] }) });
  const html = String(new F().renderForm({ csrfToken: 't' }));
  assert.match(html, /enctype="multipart\/form-data"/);
  assert.match(html, /<input type="file" name="doc" required accept=".pdf" id="id_doc">/);
});

test('radio groups render in a fieldset with a legend', () => {
  const F = defineForm({ size: fields.choice({ choices: [['s', 'Small'], ['l', 'Large']], widget: widgets.radios() }) });
  const html = String(new F().asDiv());
  assert.match(html, /^<fieldset class="field required"><legend>Size:<\/legend><div id="id_size"><div><label for="id_size_0"><input type="radio" name="size" value="s" id="id_size_0" required> Small<\/label><\/div>/);
});
