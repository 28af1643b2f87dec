// The per-site limit on one-off runs, against the platform Redis: taken atomically however many
// requests race, given back when a run ends, and lapsing by itself when the API that held it died.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { MAX_RUNNING_ONE_OFFS, RESERVATION_GRACE_MS, reservationKey, reserveOneOff, type OneOffSlot } from '../src/runs/one-off.js';
import { PaddockError } from '../src/errors.js';

const redis = new Redis(process.env.PADDOCK_REDIS_URL!);
const sites: string[] = [];
after(async () => {
  if (sites.length) await redis.del(...sites.map(reservationKey));
  redis.disconnect();
});

function site() {
  const s = { id: randomUUID(), name: `slots${sites.length}` };
  sites.push(s.id);
  return s;
}

const busy = (err: unknown) => err instanceof PaddockError && err.code === 'PDK_RUN_BUSY';

test('of many reservations racing for one site exactly MAX_RUNNING_ONE_OFFS get a slot', async () => {
  const s = site();
  const got = await Promise.allSettled(Array.from({ length: 12 }, () => reserveOneOff(redis, s, 60_000)));
  const won = got.filter((r): r is PromiseFulfilledResult<OneOffSlot> => r.status === 'fulfilled');
  assert.equal(won.length, MAX_RUNNING_ONE_OFFS);
  assert.ok(got.every((r) => r.status === 'fulfilled' || busy(r.reason)));
  // Giving one back lets exactly one more in.
  await won[0]!.value.release();
  await reserveOneOff(redis, s, 60_000);
  await assert.rejects(reserveOneOff(redis, s, 60_000), busy);
  // Another site has slots of its own.
  await reserveOneOff(redis, site(), 60_000);
});

test('slots of runs whose API died lapse after their time limit, and the key does not outlive them', async () => {
  const s = site();
  // Runs whose time limit and grace end in a few seconds (as if taken a minute ago by an API that then died). The
  // seconds leave room for a busy machine between taking them and asking once more while they hold.
  const lapse = 5_000;
  const taken = Date.now();
  for (let i = 0; i < MAX_RUNNING_ONE_OFFS; i++) await reserveOneOff(redis, s, -RESERVATION_GRACE_MS + lapse);
  await assert.rejects(reserveOneOff(redis, s, 60_000), busy, 'held while they may still run');
  assert.ok(Date.now() - taken < lapse, 'asked again before they lapsed');
  // Then they lapse by themselves: a new run gets a slot as soon as they have (tried until then, not after a guess).
  for (;;) {
    try {
      await reserveOneOff(redis, s, 60_000);
      break;
    } catch (err) {
      if (!busy(err)) throw err;
      assert.ok(Date.now() - taken < lapse + 30_000, 'the slots lapsed');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.ok(Date.now() - taken >= lapse - 50, 'not before their time');
  const ttl = await redis.pttl(reservationKey(s.id));
  assert.ok(ttl > 0 && ttl <= 60_000 + RESERVATION_GRACE_MS, `key expires in ${ttl} ms`);
});
