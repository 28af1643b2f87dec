// The ORM suite on the real Postgres server, in a database of its own created through PADDOCK_PG_ADMIN_URL.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ormSuite } from './suite.js';

const adminUrl = process.env.PADDOCK_PG_ADMIN_URL;
if (!adminUrl) throw new Error('PADDOCK_PG_ADMIN_URL is not set: run `npm run stack` and load ~/.local/state/paddock/stack.env.');
const name = `pdk_orm_${randomBytes(5).toString('hex')}`;

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try { return await fn(c); } finally { await c.end(); }
}

ormSuite({
  name: 'postgres',
  async url() {
    await admin((c) => c.query(`create database "${name}"`));
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    return u.toString();
  },
  async teardown() {
    await admin((c) => c.query(`drop database if exists "${name}" with (force)`));
  },
});
