import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { RedisCache, LocMemCache, DummyCache, createCache, CacheRegistry, type Cache } from '@paddock/runtime/cache';
import { CacheKeyMissing, CacheOperationUnsupported, ImproperlyConfigured } from '@paddock/runtime';

const adminUrl = process.env.PADDOCK_CACHE_ADMIN_URL;
if (!adminUrl) throw new Error('PADDOCK_CACHE_ADMIN_URL is not set: run `npm run stack` and load ~/.local/state/paddock/stack.env.');
const suffix = () => randomBytes(6).toString('hex');

const backends: Record<string, () => Cache> = {
  locmem: () => new LocMemCache({ name: `t-${suffix()}`, keyPrefix: 'p' }),
  redis: () => new RedisCache({ url: adminUrl, keyPrefix: `test-cache-${suffix()}` }),
};

for (const [name, make] of Object.entries(backends)) {
  describe(`${name} cache`, () => {
    const cache = make();
    after(async () => {
      await cache.clear();
      await cache.close();
    });

    test('set then get returns the JSON value; a missing key is undefined', async () => {
      await cache.set('a', { n: 1, list: ['x'], nil: null });
      assert.deepEqual(await cache.get('a'), { n: 1, list: ['x'], nil: null });
      assert.equal(await cache.get('missing'), undefined);
      await cache.set('null', null);
      assert.equal(await cache.get('null'), null, 'null is a value, not a miss');
      assert.equal(await cache.has('null'), true);
    });

    test('delete reports whether the key existed', async () => {
      await cache.set('d', 1);
      assert.equal(await cache.delete('d'), true);
      assert.equal(await cache.delete('d'), false);
      assert.equal(await cache.get('d'), undefined);
    });

    test('add stores only when the key is absent', async () => {
      assert.equal(await cache.add('once', 'first'), true);
      assert.equal(await cache.add('once', 'second'), false);
      assert.equal(await cache.get('once'), 'first');
    });

    test('a value expires after its timeout; timeout 0 never stores; null keeps it', async () => {
      await cache.set('short', 'v', { timeout: 0.05 });
      await cache.set('zero', 'v', { timeout: 0 });
      await cache.set('forever', 'v', { timeout: null });
      assert.equal(await cache.get('short'), 'v');
      assert.equal(await cache.get('zero'), undefined);
      await sleep(120);
      assert.equal(await cache.get('short'), undefined);
      assert.equal(await cache.get('forever'), 'v');
    });

    test('touch gives an existing key a new timeout and reports a missing one', async () => {
      await cache.set('t', 'v', { timeout: 0.05 });
      assert.equal(await cache.touch('t', { timeout: 10 }), true);
      await sleep(100);
      assert.equal(await cache.get('t'), 'v');
      assert.equal(await cache.touch('nope', { timeout: 10 }), false);
    });

    test('incr and decr count atomically, and refuse missing keys and non-integers', async () => {
      await cache.set('n', 10);
      assert.equal(await cache.incr('n'), 11);
      assert.equal(await cache.incr('n', 5), 16);
      assert.equal(await cache.decr('n', 20), -4);
      assert.equal(await cache.get('n'), -4);
      await assert.rejects(cache.incr('no-such-counter'), CacheKeyMissing);
      assert.equal(await cache.has('no-such-counter'), false, 'a failed incr creates nothing');
      await cache.set('s', 'text');
      await assert.rejects(cache.incr('s'), TypeError);
      await cache.set('c', 0);
      await Promise.all(Array.from({ length: 50 }, () => cache.incr('c')));
      assert.equal(await cache.get('c'), 50);
    });

    test('getMany returns only the keys found; setMany and deleteMany work on many keys', async () => {
      await cache.setMany({ m1: 1, m2: 'two', m3: [3] });
      const got = await cache.getMany(['m1', 'm2', 'm3', 'm4']);
      assert.deepEqual([...got.entries()], [['m1', 1], ['m2', 'two'], ['m3', [3]]]);
      await cache.deleteMany(['m1', 'm3']);
      assert.deepEqual([...(await cache.getMany(['m1', 'm2', 'm3'])).keys()], ['m2']);
      assert.equal((await cache.getMany([])).size, 0);
    });

    test('getOrSet computes once, stores, and serves the stored value afterwards', async () => {
      let calls = 0;
      const compute = async () => {
        calls++;
        await sleep(20);
        return { computed: calls };
      };
      const results = await Promise.all(Array.from({ length: 10 }, () => cache.getOrSet('gos', compute)));
      assert.equal(calls, 1, 'concurrent callers share one computation');
      for (const r of results) assert.deepEqual(r, { computed: 1 });
      assert.deepEqual(await cache.getOrSet('gos', compute), { computed: 1 });
      assert.equal(calls, 1);
    });

    test('versions keep values apart, and incrVersion moves a value to the next version', async () => {
      await cache.set('v', 'one', { version: 1 });
      await cache.set('v', 'two', { version: 2 });
      assert.equal(await cache.get('v'), 'one');
      assert.equal(await cache.get('v', { version: 2 }), 'two');
      await cache.set('w', 'moved');
      assert.equal(await cache.incrVersion('w'), 2);
      assert.equal(await cache.get('w'), undefined);
      assert.equal(await cache.get('w', { version: 2 }), 'moved');
      await assert.rejects(cache.incrVersion('absent'), CacheKeyMissing);
    });

    test('a value that is not JSON-serializable is refused rather than stored as garbage', async () => {
      await assert.rejects(cache.set('f', () => 1), TypeError);
      await assert.rejects(cache.set('u', undefined), TypeError);
    });
  });
}

test('redis keys live under the site prefix with Django\'s prefix:version:key layout', async () => {
  const prefix = `test-cache-${suffix()}`;
  const cache = new RedisCache({ url: adminUrl, keyPrefix: prefix });
  const raw = new Redis(adminUrl);
  try {
    await cache.set('k', { a: 1 }, { timeout: 60 });
    assert.equal(await raw.get(`${prefix}:1:k`), '{"a":1}');
    const ttl = await raw.pttl(`${prefix}:1:k`);
    assert.ok(ttl > 59_000 && ttl <= 60_000, `ttl ${ttl}`);
    await cache.set('p', 1, { timeout: null });
    assert.equal(await raw.pttl(`${prefix}:1:p`), -1);
  } finally {
    await cache.clear();
    await cache.close();
    raw.disconnect();
  }
});

test('clear removes only this prefix\'s keys, even when the prefix contains glob characters', async () => {
  const base = `test-cache-${suffix()}`;
  const a = new RedisCache({ url: adminUrl, keyPrefix: `${base}*` });
  const b = new RedisCache({ url: adminUrl, keyPrefix: `${base}x` });
  try {
    await a.set('k', 1);
    await b.set('k', 2);
    await a.clear();
    assert.equal(await a.get('k'), undefined);
    assert.equal(await b.get('k'), 2, 'a prefix ending in * must not match other prefixes');
  } finally {
    await b.clear();
    await Promise.all([a.close(), b.close()]);
  }
});

test('under a tenant ACL user limited to its prefix the cache works, stays inside, and clear() says why it cannot', async () => {
  const prefix = `test-tenant-${suffix()}`;
  const user = `u-${prefix}`;
  const password = randomBytes(16).toString('hex');
  const admin = new Redis(adminUrl);
  // The shape of the platform's per-site user: own keys only, no key enumeration, no flushing.
  await admin.acl('SETUSER', user, 'on', `>${password}`, 'resetkeys', `~${prefix}:*`, 'resetchannels', '+@all',
    '-@dangerous', '-keys', '-scan', '-randomkey', '-flushdb', '-flushall');
  const url = new URL(adminUrl);
  url.username = user;
  url.password = password;
  const warnings: string[] = [];
  const warn = console.warn;
  // ioredis warns on stderr when its ready check (INFO) is refused: it would start every site's log.
  console.warn = (...args: unknown[]) => { warnings.push(args.map(String).join(' ')); };
  const cache = createCache({ url: `${url.toString()}?prefix=${prefix}` });
  const intruder = new Redis(url.toString(), { enableReadyCheck: false });
  try {
    await cache.set('k', 'v');
    assert.equal(await cache.get('k'), 'v');
    await cache.set('n', 1);
    assert.equal(await cache.incr('n'), 2);
    await cache.setMany({ x: 1, y: 2 });
    assert.equal((await cache.getMany(['x', 'y'])).size, 2);
    await assert.rejects(cache.clear(), CacheOperationUnsupported);
    // The ACL is what stops a key outside the prefix; this checks the test's user really is confined.
    await assert.rejects(intruder.get('someone-else:1:k'), /NOPERM/);
    assert.deepEqual(warnings, [], 'connecting as a tenant user prints nothing');
  } finally {
    console.warn = warn;
    await cache.close();
    intruder.disconnect();
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length) await admin.del(...keys);
    await admin.acl('DELUSER', user);
    admin.disconnect();
  }
});

test('a Redis cache that cannot connect fails fast instead of hanging the request', async () => {
  const cache = new RedisCache({ url: 'redis://127.0.0.1:1', redisOptions: { retryStrategy: () => null } });
  const t0 = Date.now();
  await assert.rejects(cache.get('k'));
  assert.ok(Date.now() - t0 < 3000);
  await cache.close();
});

test('the local-memory cache drops the least recently used entries beyond maxEntries', async () => {
  const cache = new LocMemCache({ name: `lru-${suffix()}`, maxEntries: 3 });
  await cache.set('a', 1);
  await cache.set('b', 2);
  await cache.set('c', 3);
  await cache.get('a'); // a is now the most recently used
  await cache.set('d', 4);
  assert.deepEqual([...(await cache.getMany(['a', 'b', 'c', 'd'])).keys()], ['a', 'c', 'd']);
});

test('local-memory caches share a store by name but clear only their own prefix', async () => {
  const name = `shared-${suffix()}`;
  const a = new LocMemCache({ name, keyPrefix: 'a' });
  const a2 = new LocMemCache({ name, keyPrefix: 'a' });
  const b = new LocMemCache({ name, keyPrefix: 'b' });
  await a.set('k', 1);
  await b.set('k', 2);
  assert.equal(await a2.get('k'), 1);
  await a.clear();
  assert.equal(await a2.get('k'), undefined);
  assert.equal(await b.get('k'), 2);
});

test('local-memory expiry follows the injected clock', async () => {
  let now = 0;
  const cache = new LocMemCache({ name: `clock-${suffix()}`, now: () => now });
  await cache.set('k', 'v', { timeout: 10 });
  now = 9_999;
  assert.equal(await cache.get('k'), 'v');
  now = 10_000;
  assert.equal(await cache.get('k'), undefined);
  await cache.set('default', 'v');
  now += 300_000;
  assert.equal(await cache.get('default'), undefined, 'the default timeout is 300 s');
});

test('the dummy cache stores nothing but accepts every call', async () => {
  const cache = new DummyCache();
  await cache.set('k', 1);
  assert.equal(await cache.get('k'), undefined);
  assert.equal(await cache.add('k', 1), true);
  assert.equal(await cache.getOrSet('k', () => 5), 5);
  await assert.rejects(cache.incr('k'), CacheKeyMissing);
});

test('cache URLs choose the backend and carry options; unknown schemes are configuration errors', async () => {
  const r = createCache({ url: `${adminUrl}?prefix=site42&timeout=60&version=3` });
  assert.ok(r instanceof RedisCache);
  assert.equal(r.makeKey('k'), 'site42:3:k');
  assert.equal(r.defaultTimeout, 60);
  await r.close();
  assert.ok(createCache({ url: 'locmem://x?timeout=none' }) instanceof LocMemCache);
  assert.equal((createCache({ url: 'locmem://x?timeout=none' }) as LocMemCache).defaultTimeout, null);
  assert.ok(createCache({ url: 'dummy://' }) instanceof DummyCache);
  assert.throws(() => createCache({ url: 'memcached://x' }), ImproperlyConfigured);
  assert.throws(() => createCache({ url: 'not a url' }), ImproperlyConfigured);
  const registry = new CacheRegistry({});
  assert.ok(registry.get() instanceof LocMemCache, 'no CACHES: a local-memory default');
  assert.equal(registry.get(), registry.get());
  assert.throws(() => registry.get('other'), ImproperlyConfigured);
  await registry.closeAll();
});
