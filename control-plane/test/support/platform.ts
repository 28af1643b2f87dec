// Test support: a platform of its own per test file — a fresh, migrated platform database with a
// random name, BullMQ keys under a random prefix, silent logs, a JSON mail transport — and the
// API built on it. close() drops the database and the queue keys.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { openPlatform, type Platform } from '../../src/platform/platform.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { buildServer, type ApiServer } from '../../src/api/server.js';
import { startWorkers, type RunningWorkers } from '../../src/jobs/workers.js';
import { startProvisionWorker, type WorkerOptions } from '../../src/jobs/provision.js';
import { startTeardownWorker } from '../../src/jobs/teardown.js';
import { createProvisioners, openResource } from '../../src/provisioners/index.js';

export function suffix(): string {
  return randomBytes(5).toString('hex');
}

/** The tenant database pool's admin (the provisioning role): PADDOCK_PG_ADMIN_URL. */
export function tenantAdminUrl(): string {
  const url = process.env.PADDOCK_PG_ADMIN_URL;
  if (!url) throw new Error('PADDOCK_PG_ADMIN_URL is unset: run `npm run stack` and load ~/.local/state/paddock/stack.env (npm test does both).');
  return url;
}

/**
 * Where tests make their platform databases: a role with CREATEDB (and nothing more) on the
 * platform database's server, which the control plane under test then runs as — the dev stack's
 * `paddock_test` under `npm test`. The platform's own role may create no database.
 */
export function platformAdminUrl(): string {
  const url = process.env.PADDOCK_TEST_DATABASE_ADMIN_URL;
  if (!url) throw new Error('PADDOCK_TEST_DATABASE_ADMIN_URL is unset: run the tests with `npm test`, which brings up the dev stack and sets it (or set it to a role with CREATEDB on the platform database\'s server).');
  return url;
}

/** A fresh platform database of its own, on the platform server; drop() removes it. */
export async function createDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `pdk_test_${suffix()}`;
  const admin = new pg.Client({ connectionString: platformAdminUrl() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(platformAdminUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: platformAdminUrl() });
      await c.connect();
      try {
        // FORCE ends the test's own connections; an autovacuum worker busy in the database is not the test role's to
        // end (42501 on Postgres 15), and is gone in a moment: try again until it is.
        for (let attempt = 1; ; attempt++) {
          try {
            await c.query(`drop database if exists ${name} with (force)`);
            break;
          } catch (err) {
            if ((err as { code?: string }).code !== '42501' || attempt >= 100) throw err;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      } finally {
        await c.end();
      }
    },
  };
}

/** The site lifecycle's workers only: these tests need no Docker engine. */
export const lifecycleWorkers = [startProvisionWorker, startTeardownWorker];

export interface TestPlatform {
  platform: Platform;
  app: ApiServer;
  config: Config;
  workers: RunningWorkers | undefined;
  close(): Promise<void>;
}

export interface TestPlatformOptions {
  env?: Record<string, string>;
  /** Run the job workers in this process too. */
  worker?: boolean | WorkerOptions;
}

export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const env = options.env ?? {};
  const database = await createDatabase();
  const config = loadConfig({
    ...process.env,
    PADDOCK_ENV: 'test',
    PADDOCK_LOG_LEVEL: process.env.PADDOCK_TEST_LOG_LEVEL ?? 'silent',
    PADDOCK_PASSWORD_COST: '10',
    PADDOCK_AUTH_RATE_LIMIT: '100000',
    PADDOCK_OPERATOR_PASSWORD: '',
    ...env,
    PADDOCK_DATABASE_URL: database.url,
  });
  const queuePrefix = `pdktest:${suffix()}`;
  const platform = openPlatform(config, { logger: createLogger(config.logLevel), queuePrefix });
  await migrateToLatest(platform.db, config.databaseUrl);
  const app = await buildServer(platform);
  const workers = options.worker ? startWorkers(platform, options.worker === true ? {} : options.worker, lifecycleWorkers) : undefined;
  return {
    platform,
    app,
    config,
    workers,
    async close() {
      await workers?.close();
      await app.close();
      // Whatever a failed or interrupted test left on the shared tenant servers goes too.
      const leftovers = await platform.db.selectFrom('site_resources').selectAll().execute();
      if (leftovers.length) {
        const provisioners = createProvisioners(config);
        for (const row of leftovers) await provisioners.byKind(row.kind).destroy(openResource(platform.secrets, row)).catch(() => {});
        await provisioners.close();
      }
      await platform.close();
      const redis = new Redis(config.redisUrl);
      const keys = await redis.keys(`${queuePrefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await database.drop();
    },
  };
}
