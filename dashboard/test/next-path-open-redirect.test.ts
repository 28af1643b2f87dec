// Attacks on the post-login redirect: every way a browser reads a "path" as another origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeNext } from '../lib/next-path.js';

test('a next parameter that a browser would resolve to another origin falls back to /sites', () => {
  for (const raw of ['/%09/evil.com', '/\t/evil.com', '/\n/evil.com', '/\r\n/evil.com', '//evil.com', '/\\evil.com', '/\\/evil.com',
    '/%5C/evil.com', '/%2F/evil.com', '/%2f%2fevil.com', 'https://evil.com', '\\\\evil.com', '/\u0000/evil.com', 'evil.com', '']) {
    const next = safeNext(raw);
    assert.equal(new URL(next, 'https://dash.example').origin, 'https://dash.example', `${JSON.stringify(raw)} -> ${next}`);
    assert.doesNotMatch(next, /evil/, `${JSON.stringify(raw)} -> ${next}`);
  }
});

test('a next parameter on this dashboard keeps its path, query and fragment', () => {
  assert.equal(safeNext('/sites/blog/deploys?page=2#top'), '/sites/blog/deploys?page=2#top');
  assert.equal(safeNext('/sites/a%20b'), '/sites/a%20b');
  assert.equal(safeNext(null), '/sites');
});
