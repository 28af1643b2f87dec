// Which address the dashboard tells the API a browser has (lib/client-address.mjs, used by
// server.mjs): attacks by a browser that sends its own X-Forwarded-For.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientAddress, trustedHops } from '../lib/client-address.mjs';

test('with no proxy in front, the browser is the connection\'s peer whatever X-Forwarded-For it sends', () => {
  assert.equal(clientAddress('203.0.113.5', undefined, 0), '203.0.113.5');
  assert.equal(clientAddress('203.0.113.5', '198.51.100.1', 0), '203.0.113.5');
  assert.equal(clientAddress('203.0.113.5', ['198.51.100.1, 198.51.100.2', '198.51.100.3'], 0), '203.0.113.5');
  assert.equal(clientAddress('::ffff:203.0.113.5', 'x', 0), '203.0.113.5', 'IPv4-mapped addresses read as IPv4');
  assert.equal(clientAddress('2001:db8::1', undefined, 0), '2001:db8::1');
});

test('behind trusted proxies, the browser is what the outermost one saw, not what the browser wrote further left', () => {
  // Browser 203.0.113.5 claims 198.51.100.1; our proxy (10.0.0.2) appends the real peer.
  assert.equal(clientAddress('10.0.0.2', '198.51.100.1, 203.0.113.5', 1), '203.0.113.5');
  assert.equal(clientAddress('10.0.0.3', '198.51.100.1, 203.0.113.5, 10.0.0.2', 2), '203.0.113.5');
  // Fewer entries than hops: the farthest one known.
  assert.equal(clientAddress('10.0.0.2', undefined, 1), '10.0.0.2');
  // A hop that is not an address gives no address at all (the API then counts the dashboard's).
  assert.equal(clientAddress('10.0.0.2', 'not-an-ip', 1), undefined);
  assert.equal(clientAddress('10.0.0.2', '203.0.113.5:4711', 1), undefined);
});

test('the number of trusted proxies comes from PADDOCK_DASHBOARD_PROXY_HOPS and defaults to none', () => {
  assert.equal(trustedHops({}), 0);
  assert.equal(trustedHops({ PADDOCK_DASHBOARD_PROXY_HOPS: '2' }), 2);
  assert.equal(trustedHops({ PADDOCK_DASHBOARD_PROXY_HOPS: '-1' }), 0);
  assert.equal(trustedHops({ PADDOCK_DASHBOARD_PROXY_HOPS: 'many' }), 0);
});
