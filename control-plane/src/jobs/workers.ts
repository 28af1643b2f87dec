// The job workers one `worker` process runs, one per queue. To add a queue's worker, import its
// start function and add one line to the list.
import type { Worker } from 'bullmq';
import type { Platform } from '../platform/platform.js';
export { enqueuePending } from '../sites/sites.js';
import { startProvisionWorker, type WorkerOptions } from './provision.js';
import { startTeardownWorker } from './teardown.js';
import { startDeployWorker } from './deploy.js';
import { startSleepWorker } from './sleep.js';
import { startBackupWorker } from '../jobs/backups.js';
import { startBillingWorker } from '../jobs/billing.js';
import { startCertificateWorker } from './certificates.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each queue has its own job data type
export type StartWorker = (platform: Platform, options?: WorkerOptions) => Worker<any>;

export const workerStarters: StartWorker[] = [
  startProvisionWorker,
  startTeardownWorker,
  startDeployWorker,
  startSleepWorker,
  startBackupWorker,
  startBillingWorker,
  startCertificateWorker,
];

export interface RunningWorkers {
  names: string[];
  workers: Worker[];
  close(): Promise<void>;
}


export function startWorkers(platform: Platform, options: WorkerOptions = {}, starters: StartWorker[] = workerStarters): RunningWorkers {
  const workers = starters.map((start) => start(platform, options));
  return {
    names: workers.map((w) => w.name),
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
