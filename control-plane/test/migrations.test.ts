import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openDb } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { migrations } from '../src/store/migrations/index.js';
import { createDatabase } from './support/platform.js';

test('migrations apply once, then again as a no-op, and from several servers at once', async () => {
  const database = await createDatabase();
  const dbs = [openDb(database.url), openDb(database.url), openDb(database.url)];
  try {
    const outcomes = await Promise.all(dbs.map((db) => migrateToLatest(db, database.url)));
    const applied = outcomes.flatMap((o) => o.applied).sort();
    assert.deepEqual(applied, Object.keys(migrations).sort(), 'each migration applied exactly once across the three');
    const again = await migrateToLatest(dbs[0]!, database.url);
    assert.deepEqual(again.applied, []);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(dbs[0]!);
    assert.equal(rows[0]?.n, Object.keys(migrations).length);
    const tables = await sql<{ t: string }>`select tablename as t from pg_tables where schemaname = 'public'`.execute(dbs[0]!);
    for (const t of ['accounts', 'organisations', 'memberships', 'sites', 'site_resources', 'audit_events', 'api_tokens', 'sessions']) {
      assert.ok(tables.rows.some((r) => r.t === t), `table ${t} exists`);
    }
  } finally {
    await Promise.all(dbs.map((db) => db.destroy()));
    await database.drop();
  }
});

test('migration names sort in the order they must run', () => {
  const names = Object.keys(migrations);
  assert.deepEqual([...names].sort(), names);
  for (const n of names) assert.match(n, /^\d{8}T\d{4}_[a-z0-9_]+$/);
});

test('a site has at most one live release: a second one is refused, superseding then going live is not', async () => {
  const database = await createDatabase();
  const db = openDb(database.url);
  try {
    await migrateToLatest(db, database.url);
    const { rows: [site] } = await sql<{ id: string }>`
      with o as (insert into organisations (name) values ('one-live') returning id)
      insert into sites (org_id, name, status) select id, 'one-live', 'ready' from o returning id`.execute(db);
    const release = (version: number, status: string) => sql`
      insert into releases (site_id, version, kind, description, slug_key, slug_sha256, replicas, status)
      values (${site!.id}, ${version}, 'deploy', ${`v${version}`}, 'k', 's', 1, ${status})`.execute(db);
    await release(1, 'live');
    await assert.rejects(release(2, 'live'), /releases_one_live_per_site/);
    // What the go-live transaction does: supersede the live one, then mark the new one.
    await release(2, 'pending');
    await db.transaction().execute(async (tx) => {
      await sql`update releases set status = 'superseded' where site_id = ${site!.id} and status = 'live'`.execute(tx);
      await sql`update releases set status = 'live' where site_id = ${site!.id} and version = 2`.execute(tx);
    });
    const { rows } = await sql<{ version: number }>`select version from releases where site_id = ${site!.id} and status = 'live'`.execute(db);
    assert.deepEqual(rows.map((r) => r.version), [2]);
  } finally {
    await db.destroy();
    await database.drop();
  }
});
