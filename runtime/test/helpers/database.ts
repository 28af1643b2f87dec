// Throwaway databases on the real Postgres server (PADDOCK_PG_ADMIN_URL), for tests that need their own.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

function adminUrl(): string {
  const url = process.env.PADDOCK_PG_ADMIN_URL;
  if (!url) throw new Error('PADDOCK_PG_ADMIN_URL is not set: run `npm run stack` and load ~/.local/state/paddock/stack.env.');
  return url;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  try { return await fn(c); } finally { await c.end(); }
}

/** Creates an empty database named `<prefix>_<random>`; returns its name and URL. */
export async function createDatabase(prefix: string): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`create database "${name}"`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

/**
 * Drops a test database. WITH (FORCE) cannot end an autovacuum worker that the server started on the new database
 * (it belongs to the superuser: 42501), so that case waits for the worker to finish, asking the server each time.
 */
export async function dropDatabase(name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await admin((c) => c.query(`drop database if exists "${name}" with (force)`));
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '42501' || Date.now() > deadline) throw err;
      await admin((c) => c.query('select pg_sleep(0.1)'));
    }
  }
}
