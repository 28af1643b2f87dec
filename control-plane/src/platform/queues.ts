// The BullMQ queues on the platform Redis, one per kind of job. Producers (the API) and consumers
// (workers) open them by the same names and prefix. To add a queue: a name below, a field in
// Queues, one line in createQueues.
import { Queue, type ConnectionOptions, type DefaultJobOptions } from 'bullmq';

export const queueNames = {
  provision: 'provision',
  teardown: 'teardown',
  deploy: 'deploy',
  sleep: 'sleep',
  backup: 'backup',
  billing: 'billing',
  certificates: 'certificates',
} as const;

export interface ProvisionJob { siteId: string }
export interface TeardownJob { siteId: string }
export interface DeployJob { deployId: string }
export interface SleepJob { sweep: true }
/** A site backup to take, a restore to run, or the daily round (scheduled backups and retention): backups/. */
export type BackupJob = { backupId: string } | { restoreId: string } | { daily: true };
/** One stored Stripe webhook event to apply, or an hour of usage to report (billing/). */
export type BillingJob = { eventId: string } | { meterHour: string };
/** A custom domain's certificate to issue or renew, or (no host) the sweep that finds them. */
export interface CertificateJob { host?: string }

export interface Queues {
  connection: ConnectionOptions;
  prefix: string;
  provision: Queue<ProvisionJob>;
  teardown: Queue<TeardownJob>;
  deploy: Queue<DeployJob>;
  sleep: Queue<SleepJob>;
  backup: Queue<BackupJob>;
  billing: Queue<BillingJob>;
  certificates: Queue<CertificateJob>;
  close(): Promise<void>;
}

/** Retries with backoff; finished jobs are trimmed so the platform Redis does not grow. */
export const defaultJobOptions: DefaultJobOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * How soon a connection to the platform Redis is tried again after it broke: quickly, then every
 * half second, so Redis coming back is noticed at once (BullMQ's own default waits up to 20 s).
 */
export const reconnectDelayMs = (attempt: number): number => Math.min(attempt * 50, 500);

export function redisConnection(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: reconnectDelayMs,
  };
}

export function createQueues(redisUrl: string, prefix = 'paddock', onError: (err: Error) => void = () => {}): Queues {
  const connection = redisConnection(redisUrl);
  // Producers fail at once while Redis is away (an API request answers 503 instead of waiting
  // for the reconnection); workers keep the default and wait for it.
  const producer = { ...connection, enableOfflineQueue: false };
  const open = <T>(name: string) => {
    const q = new Queue<T>(name, { connection: producer, prefix, defaultJobOptions });
    q.on('error', onError);
    return q;
  };
  const queues = {
    provision: open<ProvisionJob>(queueNames.provision),
    teardown: open<TeardownJob>(queueNames.teardown),
    deploy: open<DeployJob>(queueNames.deploy),
    sleep: open<SleepJob>(queueNames.sleep),
    backup: open<BackupJob>(queueNames.backup),
    billing: open<BillingJob>(queueNames.billing),
    certificates: open<CertificateJob>(queueNames.certificates),
  };
  return {
    connection,
    prefix,
    ...queues,
    async close() {
      // A producer whose connection is down (or still reconnecting) cannot send QUIT: drop it instead.
      await Promise.all(Object.values(queues).map((q) => q.close().catch(() => q.disconnect())));
    },
  };
}
