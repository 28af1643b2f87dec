// A real control plane for browser tests: its own freshly migrated platform database (random name,
// dropped at the end), BullMQ keys under a random prefix, the API on a free port and the workers
// in this process, on the dev stack's Postgres and Redis. An operator account of its own.
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createDatabase, platformAdminUrl, suffix } from '../../../control-plane/test/support/platform.js';
import { loadConfig, type Config } from '@paddock/control-plane/config';
import { openPlatform, type Platform } from '@paddock/control-plane/platform/platform';
import { migrateToLatest } from '@paddock/control-plane/store/migrate';
import { buildServer } from '@paddock/control-plane/api/server';
import { bootstrapOperator } from '@paddock/control-plane/accounts/operator';
import { startWorkers } from '@paddock/control-plane/jobs/workers';

export interface RunningApi {
  url: string;
  platform: Platform;
  config: Config;
  operator: { email: string; password: string };
  stop(): Promise<void>;
}

export interface ApiOptions {
  env?: Record<string, string>;
  /** No database, migrations, operator or workers: for an API whose Postgres is deliberately unreachable. */
  bare?: boolean;
}

// Databases and names come from the control plane's own test support: one way to make them.
export { suffix };

export async function startApi({ env = {}, bare = false }: ApiOptions = {}): Promise<RunningApi> {
  // A bare API points at a database that does not exist.
  const database = bare ? undefined : await createDatabase();
  const missing = new URL(platformAdminUrl());
  missing.pathname = `/pdk_missing_${suffix()}`;
  const operator = { email: `operator-${suffix()}@dashboard-test.paddock.localhost`, password: `op-${suffix()}-${suffix()}` };
  const config = loadConfig({
    ...process.env,
    PADDOCK_ENV: 'test',
    PADDOCK_LOG_LEVEL: process.env.PADDOCK_TEST_LOG_LEVEL ?? 'silent',
    // The dashboard (on loopback) forwards each browser's address, as under `npm start`...
    PADDOCK_TRUST_PROXY: 'loopback',
    // ...but every test browser is on loopback too: one address for all of them.
    PADDOCK_AUTH_RATE_LIMIT: '1000',
    PADDOCK_PASSWORD_COST: '10',
    PADDOCK_OPERATOR_EMAIL: operator.email,
    PADDOCK_OPERATOR_PASSWORD: operator.password,
    PADDOCK_DATABASE_URL: database?.url ?? missing.toString(),
    ...env,
  });
  const queuePrefix = `pdkdashtest:${suffix()}`;
  const platform = openPlatform(config, { queuePrefix });
  if (!bare) {
    await migrateToLatest(platform.db, config.databaseUrl);
    await bootstrapOperator(platform);
  }
  const app = await buildServer(platform);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const workers = bare ? undefined : startWorkers(platform);
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    platform,
    config,
    operator,
    async stop() {
      await app.close();
      await workers?.close();
      await platform.close();
      const redis = new Redis(config.redisUrl);
      const keys = await redis.keys(`${queuePrefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await database?.drop();
    },
  };
}

/** An email nobody else's test will use. */
export function uniqueEmail(label: string): string {
  return `${label}-${suffix()}@dashboard-test.paddock.localhost`;
}
