// The access line a request leaves in its site's log reads as a sentence, whatever its size or
// outcome: method and path, then what came back, how long it took and how much it sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAccess } from '../../src/edge/access-line.js';

test('an access line names the request, its status, its time and its size with units', () => {
  assert.equal(formatAccess({ method: 'GET', path: '/', status: 200, ms: 2, bytes: 922 }), 'GET / → 200 in 2 ms, 922 B');
  assert.equal(formatAccess({ method: 'POST', path: '/posts?draft=1', status: 302, ms: 41, bytes: 0 }), 'POST /posts?draft=1 → 302 in 41 ms, 0 B');
  assert.equal(formatAccess({ method: 'GET', path: '/feed.xml', status: 200, ms: 12, bytes: 3482 }), 'GET /feed.xml → 200 in 12 ms, 3.4 KiB');
  assert.equal(formatAccess({ method: 'GET', path: '/big', status: 200, ms: 310, bytes: 5 * 1024 * 1024 }), 'GET /big → 200 in 310 ms, 5.0 MiB');
});

test('a request whose client went away before the answer says so instead of a status of -1', () => {
  assert.equal(formatAccess({ method: 'GET', path: '/slow', status: -1, ms: 3000, bytes: 0 }), 'GET /slow → no answer: the client went away after 3000 ms');
});
