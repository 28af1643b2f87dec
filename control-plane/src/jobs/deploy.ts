// The deploy queue's job: one deploy (build, release, switch) per job, never retried — a failed
// deploy is recorded with its reason and the previous release keeps serving; pushing again is
// the retry.
import { Worker, type Job } from 'bullmq';
import type { Platform } from '../platform/platform.js';
import { deployRuntimeOf } from '../platform/deploy-runtime.js';
import { runDeploy } from '../releases/deploys.js';
import type { DeployRuntime } from '../platform/deploy-runtime.js';
import { queueNames, type DeployJob } from '../platform/queues.js';
import type { WorkerOptions } from './provision.js';

export function startDeployWorker(platform: Platform, options: WorkerOptions & { deps?: DeployRuntime } = {}): Worker<DeployJob> {
  const deps = options.deps ?? deployRuntimeOf(platform);
  const worker = new Worker<DeployJob>(queueNames.deploy, async (job: Job<DeployJob>) => {
    const end = platform.metrics.jobDuration.startTimer({ queue: queueNames.deploy });
    try {
      const d = await runDeploy(deps, job.data.deployId);
      platform.metrics.jobsTotal.inc({ queue: queueNames.deploy, outcome: d.status });
      return { status: d.status };
    } finally {
      end();
    }
  }, {
    connection: platform.queues.connection,
    prefix: platform.queues.prefix,
    // Builds are CPU-bound and run in their own cgroups; a few at once per worker.
    concurrency: options.concurrency ?? 4,
    lockDuration: options.lockDuration ?? 120_000,
    ...(options.stalledInterval ? { stalledInterval: options.stalledInterval } : {}),
  });
  worker.on('error', (err) => platform.logger.error({ err }, 'deploy worker error'));
  return worker;
}
