// The control plane's command line: `api` serves the HTTP API, `worker` runs the job workers,
// `migrate` applies platform-database migrations and exits, `billing:sync` puts the plans for sale
// into Stripe (billing/sync-command.ts). SIGTERM / SIGINT shut down
// gracefully: stop taking work, finish what is in flight, close connections.
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { openPlatform, type Platform } from './platform/platform.js';
import { migrateToLatest } from './store/migrate.js';
import { buildServer } from './api/server.js';
import { bootstrapOperator } from './accounts/operator.js';
import { enqueuePending, startWorkers } from './jobs/workers.js';
import { startReconciler } from './jobs/reconcile.js';
import { EdgeService } from './edge/edge-service.js';
import { readDevCa } from './edge/edge-tls.js';
import { deployRuntimeOf } from './platform/deploy-runtime.js';
import { billingSync } from './billing/sync-command.js';

const usage = 'Usage: paddock-control-plane <api|worker|edge|migrate|billing:sync>';

type Stop = () => Promise<void>;

function onSignals(logger: Logger, stop: Stop): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => { logger.error('shutdown took over 15 s; exiting'); process.exit(1); }, 15000);
    force.unref();
    stop().then(() => process.exit(0), (err: unknown) => { logger.error({ err }, 'shutdown failed'); process.exit(1); });
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}

async function migrate(platform: Platform): Promise<void> {
  const { applied } = await migrateToLatest(platform.db, platform.config.databaseUrl);
  if (applied.length) platform.logger.info({ applied }, 'platform migrations applied');
}

async function api(config: Config): Promise<void> {
  const platform = openPlatform(config);
  await migrate(platform);
  await bootstrapOperator(platform);
  const app = await buildServer(platform);
  // Before any container starts (a one-off of `paddock run`): a host that cannot keep tenants in
  // their place stops here, saying why.
  await deployRuntimeOf(platform).driver.ensureIsolation();
  // One-offs a previous API process started and died before ending (their deadline passed).
  await deployRuntimeOf(platform).driver.reapExpiredOneOffs()
    .catch((err: unknown) => platform.logger.warn({ err }, 'could not reap expired one-offs'));
  await app.listen({ port: config.apiPort, host: config.apiHost });
  onSignals(platform.logger, async () => {
    await app.close();
    await platform.close();
  });
}

async function worker(config: Config): Promise<void> {
  const platform = openPlatform(config);
  await migrate(platform);
  await deployRuntimeOf(platform).driver.ensureIsolation();
  // Deploys and releases a dead worker left half-done: ended before this worker takes jobs (one
  // of them may be the dead worker's, which would otherwise run again first), and every minute.
  const reconciler = await startReconciler(platform);
  const workers = startWorkers(platform);
  const pending = await enqueuePending(platform);
  platform.logger.info({ queues: workers.names, pending }, 'worker running');
  onSignals(platform.logger, async () => {
    await reconciler.close();
    await workers.close();
    await platform.close();
  });
}

/** The edge: HAProxy on PADDOCK_EDGE_PORT (and HTTPS on PADDOCK_EDGE_TLS_PORT), the activator, route sync, /metrics on PADDOCK_EDGE_ADMIN_PORT. */
async function edge(config: Config): Promise<void> {
  const platform = openPlatform(config);
  await migrate(platform);
  const deps = deployRuntimeOf(platform);
  const tls = config.edgeTlsPort > 0
    ? { port: config.edgeTlsPort, hstsSeconds: config.edgeHstsSeconds, ...(config.devCaDir ? { devCa: readDevCa(config.devCaDir) } : {}) }
    : undefined;
  const service = new EdgeService(deps, {
    dir: deps.settings.edgeDir, port: config.edgePort, bind: deps.settings.edgeBind, adminPort: deps.settings.edgeAdminPort, ...(tls ? { tls } : {}),
  });
  await service.start();
  platform.logger.info({ port: config.edgePort, tlsPort: tls?.port, admin: service.adminAddress }, 'edge running');
  onSignals(platform.logger, async () => {
    await service.stop();
    await platform.close();
  });
}

export async function main(argv: string[]): Promise<void> {
  const command = argv[0];
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  switch (command) {
    case 'api':
      return api(config);
    case 'worker':
      return worker(config);
    case 'edge':
      return edge(config);
    case 'migrate': {
      const platform = openPlatform(config);
      try {
        await migrate(platform);
      } finally {
        await platform.close();
      }
      return;
    }
    case 'billing:sync':
      process.exitCode = await billingSync(config, process.stdout, process.stderr);
      return;
    default:
      process.stderr.write(`${usage}\n`);
      process.exit(2);
  }
}

const logger = createLogger(process.env.PADDOCK_LOG_LEVEL ?? 'info');
main(process.argv.slice(2)).catch((err: unknown) => {
  logger.fatal({ err }, 'control plane failed to start');
  process.exit(1);
});
