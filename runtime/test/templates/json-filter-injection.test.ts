// Attacks on the `json` template filter: its output is marked safe, so every character that could
// end the surrounding <script> or single-quoted attribute must come out as a \u escape.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { nunjucksEngine } from '@paddock/runtime';

const dir = mkdtempSync(join(tmpdir(), 'pdk-json-filter-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'attr.html'), "<div data-x='{{ v | json }}'></div>");
writeFileSync(join(dir, 'script.html'), '<script>const data = {{ v | json }};</script>');
const engine = nunjucksEngine({ dirs: [dir], debug: false, reverse: () => '/', staticUrl: (p) => `/static/${p}`, options: {} });

test("a value with a single quote cannot leave a single-quoted attribute through the json filter", async () => {
  const html = await engine.render('attr.html', { v: { name: "x' onmouseover='alert(1)" } });
  const attr = /^<div data-x='([^']*)'><\/div>$/.exec(html);
  assert.ok(attr, `the attribute holds the whole value and nothing else: ${html}`);
  assert.deepEqual(JSON.parse(attr[1]!), { name: "x' onmouseover='alert(1)" }, 'still the same JSON');
});

test('a value cannot close the <script> or start markup through the json filter, and parses back', async () => {
  const v = { s: '</script><img src=x onerror=alert(1)>', amp: 'a & b', q: `"'`, ls: '\u2028\u2029' };
  const html = await engine.render('script.html', { v });
  const body = html.slice('<script>const data = '.length, -';</script>'.length);
  assert.doesNotMatch(body, /[<>&'\u2028\u2029]/);
  assert.deepEqual(JSON.parse(body), v);
});
