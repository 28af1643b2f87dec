// A throwaway Postgres database per test file: created through PADDOCK_PG_ADMIN_URL with a random name, migrated
// with the given apps, dropped at the end.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { closeDatabases, configureDatabases, migrate, type AppRef } from '@paddock/runtime';
import { dropDatabase } from '../../helpers/database.js';

export async function testDatabase(apps: AppRef[]): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = process.env.PADDOCK_PG_ADMIN_URL;
  if (!adminUrl) throw new Error('PADDOCK_PG_ADMIN_URL is not set: run `npm run stack` and load ~/.local/state/paddock/stack.env.');
  const name = `test_batteries_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await configureDatabases({ default: { url: url.toString() } });
  await migrate({ apps });
  return {
    url: url.toString(),
    drop: async () => {
      await closeDatabases();
      await dropDatabase(name);
    },
  };
}
