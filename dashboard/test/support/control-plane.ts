// A real control plane for browser tests: the API (and its job workers) in this process on a
// free port, against the dev stack's Postgres and Redis, with queues of its own so parallel test
// runs never share jobs.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@paddock/control-plane/config';
import { openPlatform, type Platform } from '@paddock/control-plane/platform';
import { migrateToLatest } from '@paddock/control-plane/store/migrate';
import { buildServer } from '@paddock/control-plane/api/server';
import { bootstrapOperator } from '@paddock/control-plane/accounts/operator';
import { startWorkers } from '@paddock/control-plane/jobs/workers';

export interface RunningApi {
  url: string;
  platform: Platform;
  operator: { email: string; password: string };
  stop(): Promise<void>;
}

export interface ApiOptions {
  env?: Record<string, string>;
  /** Skip migrations, the operator and workers: for an API whose database is deliberately unreachable. */
  bare?: boolean;
}

export async function startApi({ env = {}, bare = false }: ApiOptions = {}): Promise<RunningApi> {
  const operator = {
    email: process.env.PADDOCK_OPERATOR_EMAIL ?? 'operator@paddock.localhost',
    password: process.env.PADDOCK_OPERATOR_PASSWORD || 'operator-dev-password',
  };
  const config = loadConfig({
    ...process.env,
    PADDOCK_ENV: 'test',
    PADDOCK_LOG_LEVEL: 'warn',
    // Every browser login reaches the API from the dashboard's one address.
    PADDOCK_AUTH_RATE_LIMIT: '1000',
    PADDOCK_PASSWORD_COST: '10',
    PADDOCK_OPERATOR_EMAIL: operator.email,
    PADDOCK_OPERATOR_PASSWORD: operator.password,
    ...env,
  });
  const platform = openPlatform(config, { queuePrefix: `dash-test-${randomBytes(4).toString('hex')}` });
  if (!bare) {
    await migrateToLatest(platform.db, config.databaseUrl);
    await bootstrapOperator(platform);
  }
  const app = await buildServer(platform);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const workers = startWorkers(platform, bare ? [] : undefined);
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    platform,
    operator,
    async stop() {
      await workers.close();
      await app.close();
      await platform.close();
    },
  };
}

/** An email nobody else's test will use. */
export function uniqueEmail(label: string): string {
  return `${label}-${randomBytes(5).toString('hex')}@dashboard-test.paddock.localhost`;
}
