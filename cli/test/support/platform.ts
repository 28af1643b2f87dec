// Test support: a real control plane for the CLI to talk to — its own freshly migrated platform
// database (random name, dropped at the end), BullMQ keys under a random prefix, the API
// listening on a free port and the workers running in-process, on the dev stack's Postgres and Redis.
import { Redis } from 'ioredis';
import { createDatabase, suffix } from '../../../control-plane/test/support/platform.js';
import { loadConfig, type Config } from '@paddock/control-plane/config';
import { createLogger } from '@paddock/control-plane/logger';
import { openPlatform, type Platform } from '@paddock/control-plane/platform/platform';
import { migrateToLatest } from '@paddock/control-plane/store/migrate';
import { buildServer } from '@paddock/control-plane/api/server';
import { startWorkers } from '@paddock/control-plane/jobs/workers';

export interface RunningPlatform {
  api: string;
  platform: Platform;
  config: Config;
  /** Waits (up to 20 s) until every site is deleted: the teardown jobs leave no tenant database or cache user behind. */
  waitForTeardown(): Promise<void>;
  close(): Promise<void>;
}

// Databases and names come from the control plane's own test support: one way to make them.
export { suffix };

export async function startPlatform(env: Record<string, string> = {}): Promise<RunningPlatform> {
  const database = await createDatabase();
  const config = loadConfig({
    ...process.env,
    PADDOCK_ENV: 'test',
    PADDOCK_LOG_LEVEL: process.env.PADDOCK_TEST_LOG_LEVEL ?? 'silent',
    PADDOCK_PASSWORD_COST: '10',
    PADDOCK_OPERATOR_PASSWORD: '',
    ...env,
    PADDOCK_DATABASE_URL: database.url,
  });
  const queuePrefix = `pdkclitest:${suffix()}`;
  const platform = openPlatform(config, { logger: createLogger(config.logLevel), queuePrefix });
  await migrateToLatest(platform.db, config.databaseUrl);
  const app = await buildServer(platform);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const workers = startWorkers(platform);
  return {
    api: `http://127.0.0.1:${port}`,
    platform,
    config,
    async waitForTeardown() {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const live = await platform.db.selectFrom('sites').select('id').where('status', '<>', 'deleted').execute();
        if (!live.length) return;
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async close() {
      await app.close();
      await workers.close();
      await platform.close();
      const redis = new Redis(config.redisUrl);
      const keys = await redis.keys(`${queuePrefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await database.drop();
    },
  };
}
