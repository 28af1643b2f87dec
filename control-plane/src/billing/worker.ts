// The billing queue's worker: applies stored Stripe events one job each (billing/events.ts). A job
// is retried with backoff when Stripe or the database is away; a job a dead worker held is taken
// over when its lock expires, and the transaction it left open never committed, so each event
// takes effect once. At start it queues the events a dead process stored but never queued.
import { Worker } from 'bullmq';
import type { Platform } from '../platform.js';
import type { WorkerOptions } from '../jobs/provision.js';
import { queueNames, type BillingJob } from '../jobs/queues.js';
import { enqueueUnprocessedEvents, processEvent } from './events.js';
import { billingEnabled } from './stripe.js';

export function startBillingWorker(platform: Platform, options: WorkerOptions = {}): Worker<BillingJob> {
  const queue = queueNames.billing;
  const worker = new Worker<BillingJob>(queue, async (job) => {
    const end = platform.metrics.jobDuration.startTimer({ queue });
    try {
      const out = await processEvent(platform, job.data.eventId);
      platform.metrics.jobsTotal.inc({ queue, outcome: 'completed' });
      return out;
    } catch (err) {
      platform.metrics.jobsTotal.inc({ queue, outcome: 'failed' });
      platform.logger.warn({ err, queue, eventId: job.data.eventId, attempt: job.attemptsMade + 1 }, 'billing event failed; it will be retried');
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
  }
  return worker;
}
