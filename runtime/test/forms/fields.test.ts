import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fields, widgets, type Field } from '@paddock/runtime/forms';
import type { RawValue } from '@paddock/runtime/forms';
import { ValidationError } from '@paddock/runtime';

function codeOf(field: Field<unknown>, raw: RawValue): string | null {
  try {
    field.clean(raw);
    return null;
  } catch (e) {
    assert.ok(e instanceof ValidationError);
    return e.issues[0]?.code ?? '';
  }
}

test('char fields strip, enforce length in characters, and refuse NUL bytes', () => {
  const f = fields.char({ maxLength: 5, minLength: 2 });
  assert.equal(f.clean('  abc  '), 'abc');
  assert.equal(codeOf(f, ''), 'required');
  assert.equal(codeOf(f, '   '), 'required');
  assert.equal(codeOf(f, 'abcdef'), 'max_length');
  assert.equal(codeOf(f, 'a'), 'min_length');
  assert.equal(f.clean('😀😀😀😀😀'), '😀😀😀😀😀', 'five characters, ten UTF-16 units');
  assert.equal(codeOf(f, 'ab\0c'), 'null_characters_not_allowed');
  assert.equal(fields.char({ required: false }).clean(undefined), '');
  assert.equal(fields.password().clean(' pw '), ' pw ', 'passwords keep their spaces');
});

test('messages can be replaced per code and carry the numbers', () => {
  const f = fields.char({ maxLength: 3, errorMessages: { required: 'Name, please.' } });
  assert.throws(() => f.clean(''), /Name, please\./);
  assert.throws(() => f.clean('abcd'), /at most 3 characters \(it has 4\)/);
});

test('email fields accept ordinary addresses and refuse malformed or header-breaking ones', () => {
  const f = fields.email();
  for (const ok of ['a@example.com', 'first.last+tag@sub.example.co.uk', 'josé@exämple.de']) assert.equal(codeOf(f, ok), null, ok);
  for (const bad of ['plain', 'a@b', 'a@@example.com', 'a b@example.com', 'a@example.com\nBcc: x@y.z', '<a@example.com>', 'a@-example.com']) {
    assert.equal(codeOf(f, bad), 'invalid', bad);
  }
});

test('url fields only accept http(s) URLs with a host: javascript: and data: never pass', () => {
  const f = fields.url();
  assert.equal(f.clean('example.com/page'), 'https://example.com/page');
  assert.equal(f.clean('http://example.com'), 'http://example.com');
  for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>', 'vbscript:x', 'http://', 'ftp://example.com']) {
    assert.equal(codeOf(f, bad), 'invalid', bad);
  }
});

test('slug, integer and float fields parse strictly and check bounds', () => {
  assert.equal(codeOf(fields.slug(), 'good-slug_1'), null);
  assert.equal(codeOf(fields.slug(), 'bad slug'), 'invalid');
  const n = fields.integer({ minValue: 1, maxValue: 10 });
  assert.equal(n.clean(' 7 '), 7);
  for (const [raw, code] of [['0', 'min_value'], ['11', 'max_value'], ['1.5', 'invalid'], ['1e3', 'invalid'], ['0x10', 'invalid'],
    ['99999999999999999999', 'invalid'], ['', 'required']] as const) {
    assert.equal(codeOf(n, raw), code, raw);
  }
  const optional = fields.integer({ required: false });
  const v: number | null = optional.clean('');
  assert.equal(v, null);
  assert.equal(fields.float().clean('-2.5e2'), -250);
  assert.equal(codeOf(fields.float(), 'Infinity'), 'invalid');
  assert.equal(codeOf(fields.float(), 'NaN'), 'invalid');
  assert.equal(codeOf(fields.float({ step: 0.5 }), '0.3'), 'step_size');
});

test('a required boolean must be ticked; an optional one reads absent as false', () => {
  assert.equal(codeOf(fields.boolean(), 'false'), 'required');
  assert.equal(fields.boolean().clean('on'), true);
  assert.equal(fields.boolean({ required: false }).clean('false'), false);
});

test('choice fields refuse values that were not offered', () => {
  const f = fields.choice({ choices: [['draft', 'Draft'], ['published', 'Published']] });
  assert.equal(f.clean('draft'), 'draft');
  assert.equal(codeOf(f, 'deleted'), 'invalid_choice');
  const m = fields.multipleChoice({ choices: [['a', 'A'], ['b', 'B']] });
  assert.deepEqual(m.clean(['a', 'b', 'a']), ['a', 'b']);
  assert.equal(codeOf(m, ['a', 'z']), 'invalid_choice');
  assert.equal(codeOf(m, []), 'required');
});

test('date fields refuse days that do not exist; datetimes without offset are UTC', () => {
  const d = fields.date();
  assert.equal(d.clean('2024-02-29').toISOString(), '2024-02-29T00:00:00.000Z');
  for (const bad of ['2023-02-29', '2024-02-31', '2024-13-01', '24-01-01', 'yesterday']) assert.equal(codeOf(d, bad), 'invalid', bad);
  const dt = fields.datetime();
  assert.equal(dt.clean('2024-05-01T10:30').toISOString(), '2024-05-01T10:30:00.000Z');
  assert.equal(dt.clean('2024-05-01 10:30:15+02:00').toISOString(), '2024-05-01T08:30:15.000Z');
  assert.equal(codeOf(dt, '2024-02-31T10:00'), 'invalid');
});

test('custom validators run on non-empty values and all their issues are reported', () => {
  const noAdmin = (v: string) => { if (v.includes('admin')) throw new ValidationError('Reserved name.', 'reserved'); };
  const noDigits = (v: string) => { if (/\d/.test(v)) throw new ValidationError('No digits.', 'digits'); };
  const f = fields.char({ validators: [noAdmin, noDigits] });
  try {
    f.clean('admin1');
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof ValidationError);
    assert.deepEqual(e.issues.map((i) => i.code), ['reserved', 'digits']);
  }
});

test('a password widget never renders the submitted password back into the page', () => {
  assert.doesNotMatch(widgets.password().render('pw', 'hunter2', {}), /hunter2/);
});
