// The job workers one `worker` process runs, one per queue. To add a queue's worker, import its
// start function and add one line to the list.
import type { Platform } from '../platform.js';
import type { Worker } from 'bullmq';

export type StartWorker = (platform: Platform) => Worker;

const workerStarters: StartWorker[] = [
];

export interface RunningWorkers {
  names: string[];
  workers: Worker[];
  close(): Promise<void>;
}

export function startWorkers(platform: Platform, starters: StartWorker[] = workerStarters): RunningWorkers {
  const workers = starters.map((start) => start(platform));
  return {
    names: workers.map((w) => w.name),
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
