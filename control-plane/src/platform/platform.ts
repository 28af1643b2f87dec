// The shared handles one control-plane process holds — platform database, platform Redis,
// queues, mailer, secret box, metrics, logger — opened together and closed together.
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { openDb, type Db } from '../store/db.js';
import { createQueues, reconnectDelayMs, type Queues } from './queues.js';
import { createMailer, type Mailer } from './mailer.js';
import { createSecretBox, type SecretBox } from '../secrets/box.js';

export interface Platform {
  config: Config;
  db: Db;
  redis: Redis;
  queues: Queues;
  mailer: Mailer;
  secrets: SecretBox;
  metrics: Metrics;
  logger: Logger;
  close(): Promise<void>;
}

export interface PlatformOverrides {
  logger?: Logger;
  mailer?: Mailer;
  metrics?: Metrics;
  /** Prefix of the BullMQ keys (default: PADDOCK_QUEUE_PREFIX); tests give each run its own. */
  queuePrefix?: string;
}

export function openPlatform(config: Config, overrides: PlatformOverrides = {}): Platform {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const db = openDb(config.databaseUrl, { onError: (err) => logger.warn({ err: err.message }, 'a platform database connection broke; the next query connects again') });
  // Commands fail after one retry rather than queueing forever while Redis is away, so health
  // checks and the API answer 503 within about a second instead of hanging.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: reconnectDelayMs });
  redis.on('error', (err) => logger.debug({ err }, 'platform redis error'));
  const queues = createQueues(config.redisUrl, overrides.queuePrefix ?? config.queuePrefix, (err) => logger.debug({ err }, 'queue: platform redis error'));
  const mailer = overrides.mailer ?? createMailer(config, logger);
  const metrics = overrides.metrics ?? createMetrics();
  return {
    config,
    db,
    redis,
    queues,
    mailer,
    secrets: createSecretBox(config.masterKey),
    metrics,
    logger,
    async close() {
      await queues.close();
      redis.disconnect();
      await db.destroy();
    },
  };
}
