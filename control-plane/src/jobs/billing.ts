// The billing queue's worker: applies stored Stripe events one job each (billing/events.ts), and
// hourly reports usage to Stripe's meters (billing/metering.ts). A job
// is retried with backoff when Stripe or the database is away; a job a dead worker held is taken
// over when its lock expires, and the transaction it left open never committed, so each event
// takes effect once. At start it queues the events a dead process stored but never queued.
import { Worker } from 'bullmq';
import type { Platform } from '../platform/platform.js';
import type { WorkerOptions } from './provision.js';
import { queueNames, type BillingJob } from '../platform/queues.js';
import { enqueueUnprocessedEvents, processEvent } from '../billing/events.js';
import { billingEnabled, billingOf } from '../billing/stripe.js';
import { meterRecentHours } from '../billing/metering.js';

/** Usage goes to Stripe at five past every hour (UTC). */
const METERING_PATTERN = '5 * * * *';

export function startBillingWorker(platform: Platform, options: WorkerOptions = {}): Worker<BillingJob> {
  const queue = queueNames.billing;
  const worker = new Worker<BillingJob>(queue, async (job) => {
    const end = platform.metrics.jobDuration.startTimer({ queue });
    try {
      const data = job.data;
      const billing = billingOf(platform);
      const out = 'eventId' in data ? await processEvent(platform, data.eventId) : billing ? await meterRecentHours(platform, billing) : 'skipped';
      if (typeof out === 'object' && out.failed > 0) throw new Error(`${out.failed} meter events were not accepted by Stripe`);
      platform.metrics.jobsTotal.inc({ queue, outcome: 'completed' });
      return out;
    } catch (err) {
      platform.metrics.jobsTotal.inc({ queue, outcome: 'failed' });
      platform.logger.warn({ err, queue, job: job.data, attempt: job.attemptsMade + 1 }, 'billing event failed; it will be retried');
      throw err;
    } finally {
      end();
    }
  }, {
    connection: platform.queues.connection,
    prefix: platform.queues.prefix,
    concurrency: options.concurrency ?? platform.config.workerConcurrency,
    ...(options.lockDuration ? { lockDuration: options.lockDuration } : {}),
    ...(options.stalledInterval ? { stalledInterval: options.stalledInterval } : {}),
  });
  worker.on('error', (err) => platform.logger.debug({ err }, 'billing worker: platform redis error'));
  if (billingEnabled(platform)) {
    enqueueUnprocessedEvents(platform).catch((err: unknown) => platform.logger.warn({ err }, 'could not queue stored billing events; the next worker start tries again'));
    platform.queues.billing.upsertJobScheduler('billing-metering', { pattern: METERING_PATTERN, tz: 'UTC' }, { name: 'meter', data: { meterHour: 'recent' } })
      .catch((err: unknown) => platform.logger.warn({ err }, 'could not schedule usage metering; the next worker start tries again'));
  }
  return worker;
}
