// Aware datetimes in the database, on real Postgres (its session in another zone than UTC) and on PGlite: stored as
// the instant they are, read back unchanged, date lookups in the current time zone, offset-less strings in TIME_ZONE.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { closeDatabases, configureDatabases, fields, makeMigrations, migrate, model, rawQuery } from '@paddock/runtime';
import { overrideTimezone } from '@paddock/runtime/timezone';
import { makeSite } from '../helpers/site.js';

const Event = model('tzlog.Event', { id: fields.auto(), name: fields.char({ maxLength: 50 }), at: fields.datetime() });

const adminUrl = process.env.PADDOCK_PG_ADMIN_URL;
if (!adminUrl) throw new Error('PADDOCK_PG_ADMIN_URL is not set: run `npm run stack` and load ~/.local/state/paddock/stack.env.');
const dbName = `pdk_tz_${randomBytes(5).toString('hex')}`;

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try { await c.query(sql); } finally { await c.end(); }
}

const dir = mkdtempSync(join(tmpdir(), 'pdk-tzlog-'));
const apps = [{ label: 'tzlog', dir }];
before(async () => {
  await makeMigrations({ apps });
  await admin(`create database "${dbName}"`);
});
after(async () => {
  await closeDatabases();
  await admin(`drop database if exists "${dbName}" with (force)`);
  rmSync(dir, { recursive: true, force: true });
});

const backends: Array<[string, () => string]> = [
  ['postgres with its session in New York time', () => {
    const u = new URL(adminUrl);
    u.pathname = `/${dbName}`;
    u.searchParams.set('options', '-c TimeZone=America/New_York');
    return u.toString();
  }],
  ['pglite', () => 'pglite:memory'],
];

for (const [name, url] of backends) {
  describe(name, () => {
    before(async () => {
      await configureDatabases({ default: { url: url(), max: 2 } });
      await migrate({ apps });
      await rawQuery('delete from tzlog_event');
    });

    test('a Date is stored as its instant and read back unchanged', async () => {
      const at = new Date('2026-07-14T23:30:00.123Z');
      const e = await Event.objects.create({ name: 'late', at });
      const back = await Event.objects.get({ id: e.id });
      assert.equal(back.at.toISOString(), '2026-07-14T23:30:00.123Z');
      const [row] = await rawQuery<{ utc: string }>("select to_char(at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as utc from tzlog_event where id = $1", [e.id]);
      assert.equal(row?.utc, '2026-07-14 23:30', 'the column holds the UTC instant whatever the session zone');
      if (name.startsWith('postgres')) {
        const [zone] = await rawQuery<{ tz: string }>("select current_setting('TimeZone') as tz");
        assert.equal(zone?.tz, 'America/New_York', 'the session really is in another zone');
      }
    });

    test('date and hour lookups use the current time zone', async () => {
      const inUtc = await Event.objects.filter({ at__date: '2026-07-14', name: 'late' }).count();
      const inTokyo = await overrideTimezone('Asia/Tokyo', () => Event.objects.filter({ at__date: '2026-07-15', at__hour: 8, name: 'late' }).count());
      const inTokyoWrongDay = await overrideTimezone('Asia/Tokyo', () => Event.objects.filter({ at__date: '2026-07-14', name: 'late' }).count());
      assert.deepEqual([inUtc, inTokyo, inTokyoWrongDay], [1, 1, 0]);
    });

    test('a datetime string without an offset is a wall-clock time in TIME_ZONE', async () => {
      makeSite({ urls: [], settings: { TIME_ZONE: 'Europe/Paris' } });
      const e = await Event.objects.create({ name: 'naive', at: '2026-07-14 12:30' as unknown as Date });
      assert.equal((await Event.objects.get({ id: e.id })).at.toISOString(), '2026-07-14T10:30:00.000Z');
      makeSite({ urls: [] });
    });
  });
}
