// Runs the deploy reconciler (releases/reconciler.ts) in a worker process: once at start, before
// the worker takes jobs, then every minute. Any number of workers may run it; each site is
// reconciled by one at a time.
import type { Platform } from '../platform/platform.js';
import { deployRuntimeOf, type DeployRuntime } from '../platform/deploy-runtime.js';
import { reconcileDeploys, type ReconcileOutcome } from '../releases/reconciler.js';

export interface Reconciler {
  /** One pass now (after the one running, if any). */
  run(): Promise<ReconcileOutcome | undefined>;
  close(): Promise<void>;
}

export interface ReconcilerOptions {
  deps?: DeployRuntime;
  everyMs?: number;
}

/** Whether a worker runs the deploy's job: BullMQ holds `<job key>:lock` while it does and renews it; a dead worker's lapses. */
export function deployJobRunning(platform: Pick<Platform, 'redis' | 'queues'>): (deployId: string) => Promise<boolean> {
  return async (deployId) => (await platform.redis.exists(`${platform.queues.deploy.toKey(deployId)}:lock`)) === 1;
}

/** Resolves once the first pass is over (it failing, with the platform database away, included). */
export async function startReconciler(platform: Platform, options: ReconcilerOptions = {}): Promise<Reconciler> {
  const deps = options.deps ?? deployRuntimeOf(platform);
  const jobRunning = deployJobRunning(platform);
  let running: Promise<ReconcileOutcome | undefined> = Promise.resolve(undefined);
  const run = () => {
    running = running.then(async () => {
      try {
        const out = await reconcileDeploys(deps, { jobRunning });
        if (out.failed.length || out.completed.length || out.strayReleases.length) {
          platform.logger.warn(out, 'reconciler: ended deploys and releases that dead workers left half-done');
        }
        return out;
      } catch (err) {
        // The platform database or Redis is away: the next pass tries again.
        platform.logger.warn({ err }, 'reconciler: this pass failed; the next one tries again');
        return undefined;
      }
    });
    return running;
  };
  await run();
  const timer = setInterval(() => void run(), options.everyMs ?? 60_000);
  timer.unref();
  return {
    run,
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
