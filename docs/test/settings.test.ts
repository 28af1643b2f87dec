// Every setting is documented, with its real default: docs/topics/settings.md's table is checked against the
// runtime's defaultSettings, so a new setting (or a changed default) cannot go unmentioned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { defaultSettings } from '@paddock/runtime';

const page = readFileSync(new URL('../topics/settings.md', import.meta.url), 'utf8');

/** How the table writes a default: TypeScript literal syntax. */
function literal(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  if (v !== null && typeof v === 'object') return Object.keys(v).length ? JSON.stringify(v) : '{}';
  return String(v);
}

test('docs/topics/settings.md lists every setting with its default', () => {
  const table = page.slice(page.indexOf('## Every setting'), page.indexOf('### TEMPLATES'));
  const rows = new Map<string, string>();
  for (const m of table.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \| ([^|]*) \|/gm)) rows.set(m[1] as string, (m[2] as string).trim().replace(/^`(.*)`$/, '$1'));
  const problems: string[] = [];
  for (const [name, value] of Object.entries(defaultSettings)) {
    if (!rows.has(name)) problems.push(`${name} is not documented`);
    else if (rows.get(name) !== literal(value)) problems.push(`${name}: the page says ${rows.get(name)}, the default is ${literal(value)}`);
  }
  for (const name of ['MIDDLEWARE', 'TEMPLATES']) if (!rows.has(name)) problems.push(`${name} is not documented`);
  for (const name of rows.keys()) {
    if (!(name in defaultSettings) && !['MIDDLEWARE', 'TEMPLATES'].includes(name)) problems.push(`${name} is documented but is no setting`);
  }
  assert.deepEqual(problems, [], 'Update the table in docs/topics/settings.md.');
});
