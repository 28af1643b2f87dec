import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DatabaseSessionStore, Session, SessionRecord, sessionsApp } from '@paddock/runtime/contrib/sessions';
import { testDatabase } from '../helpers/db.js';

let db: Awaited<ReturnType<typeof testDatabase>>;
before(async () => { db = await testDatabase([sessionsApp]); });
after(async () => { await db.drop(); });

test('database sessions persist, cycle keys (deleting the old row) and refuse to create over an existing key', async () => {
  const store = new DatabaseSessionStore();
  const s = new Session(store, null);
  await s.set('cart', [1, 2]);
  await s.save();
  const key = s.sessionKey as string;
  assert.equal(await SessionRecord.objects.filter({ sessionKey: key }).count(), 1);
  const again = new Session(store, key);
  assert.deepEqual(await again.get('cart'), [1, 2]);
  await again.cycleKey();
  await again.save();
  assert.notEqual(again.sessionKey, key);
  assert.equal(await SessionRecord.objects.filter({ sessionKey: key }).count(), 0, 'the old key is gone');
  assert.equal(await store.save(again.sessionKey as string, {}, Date.now() + 1000, true), false, 'mustCreate never overwrites');
  assert.deepEqual(await new Session(store, again.sessionKey).get('cart'), [1, 2]);
});

test('expired database sessions are not loaded and clearsessions removes them', async () => {
  let now = Date.now();
  const store = new DatabaseSessionStore(() => now);
  const s = new Session(store, null, { age: 60, now: () => now });
  await s.set('x', 1);
  await s.save();
  const key = s.sessionKey as string;
  now += 61_000;
  assert.equal(await new Session(store, key, { now: () => now }).get('x'), undefined);
  assert.ok(await store.clearExpired() >= 1);
  assert.equal(await SessionRecord.objects.filter({ sessionKey: key }).count(), 0);
});
