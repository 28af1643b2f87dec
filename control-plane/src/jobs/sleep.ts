// The sleep queue's job: a sweep every few seconds that puts idle sites to sleep. Idle past the
// plan's pause time, a site's route goes to the activator first (so no request reaches a frozen
// process) and then its replicas are paused: CPU freed, wake in tens of ms. Idle past the stop
// time, paused replicas are stopped: memory freed, wake in a few hundred ms. The same sweep
// removes one-offs past their deadline.
import { Worker } from 'bullmq';
import type { Platform } from '../platform/platform.js';
import { deployRuntimeOf } from '../platform/deploy-runtime.js';
import type { DeployRuntime } from '../platform/deploy-runtime.js';
import { queueNames, type SleepJob } from '../platform/queues.js';
import type { WorkerOptions } from './provision.js';

export interface SweepResult {
  paused: string[];
  stopped: string[];
}

export async function sleepIdleSites(deps: DeployRuntime, now = new Date()): Promise<SweepResult> {
  const db = deps.platform.db;
  const result: SweepResult = { paused: [], stopped: [] };
  // A suspended site's replicas stop (its database refuses them anyway); after a resume the
  // first request starts them again through the activator, like any stopped site.
  const suspended = await db.selectFrom('site_routes').innerJoin('sites', 'sites.id', 'site_routes.site_id')
    .select(['sites.id', 'sites.name']).where('sites.status', '=', 'suspended').where('site_routes.state', '<>', 'stopped').execute();
  for (const r of suspended) {
    await db.updateTable('site_routes').set({ state: 'stopped', updated_at: new Date() }).where('site_id', '=', r.id).execute();
    const replicas = await deps.driver.list(r.name);
    await Promise.all(replicas.map((x) => deps.driver.stop(x.id, 5)));
    result.stopped.push(r.name);
  }
  const rows = await db.selectFrom('site_routes')
    .innerJoin('sites', 'sites.id', 'site_routes.site_id')
    .innerJoin('organisations', 'organisations.id', 'sites.org_id')
    .select(['sites.id', 'sites.name', 'organisations.plan', 'site_routes.state', 'site_routes.last_request_at'])
    .where('sites.status', '=', 'ready').where('site_routes.state', 'in', ['serving', 'paused']).execute();
  for (const r of rows) {
    const policy = deps.settings.sleep[r.plan] ?? deps.settings.sleep.free!;
    const idleS = (now.getTime() - r.last_request_at.getTime()) / 1000;
    if (r.state === 'serving' && policy.pauseAfterS > 0 && idleS >= policy.pauseAfterS) {
      // Route to the activator first and wait until the edges use it; then freeze.
      // Still idle as of the cutoff: compared as an instant, not by equality with the value read
      // (a JavaScript Date drops the microseconds Postgres may hold, and would never match them).
      const cutoff = new Date(now.getTime() - policy.pauseAfterS * 1000);
      const moved = await db.updateTable('site_routes').set({ state: 'paused', updated_at: new Date() })
        .where('site_id', '=', r.id).where('state', '=', 'serving').where('last_request_at', '<=', cutoff).executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) continue; // a request or a deploy got there first
      await deps.edge.changed();
      const replicas = await deps.driver.list(r.name);
      await Promise.all(replicas.filter((x) => x.status === 'running').map((x) => deps.driver.pause(x.id)));
      // Woken while we paused it: undo.
      const now2 = await db.selectFrom('site_routes').select('state').where('site_id', '=', r.id).executeTakeFirst();
      if (now2?.state === 'serving') await Promise.all(replicas.map((x) => deps.driver.resume(x.id)));
      else result.paused.push(r.name);
    } else if (r.state === 'paused' && policy.stopAfterS > 0 && idleS >= policy.stopAfterS) {
      const moved = await db.updateTable('site_routes').set({ state: 'stopped', updated_at: new Date() })
        .where('site_id', '=', r.id).where('state', '=', 'paused').executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) continue;
      const replicas = await deps.driver.list(r.name);
      await Promise.all(replicas.map((x) => deps.driver.stop(x.id, 5)));
      await deps.edge.changed().catch(() => undefined); // edges learn that a wake must boot it
      result.stopped.push(r.name);
    }
  }
  return result;
}

export function startSleepWorker(platform: Platform, options: WorkerOptions & { deps?: DeployRuntime; everyMs?: number } = {}): Worker<SleepJob> {
  const deps = options.deps ?? deployRuntimeOf(platform);
  void platform.queues.sleep.upsertJobScheduler('sleep-sweep', { every: options.everyMs ?? 10_000 }, { name: 'sweep', data: { sweep: true }, opts: { attempts: 1 } })
    .catch((err: unknown) => platform.logger.error({ err }, 'could not schedule the sleep sweep'));
  const worker = new Worker<SleepJob>(queueNames.sleep, async () => {
    // Put back the egress policy if something (a firewall reload) removed it: every minute at most.
    await deps.driver.ensureIsolation().catch((err: unknown) => platform.logger.error({ err }, 'tenant egress policy is not in place'));
    // One-offs whose API died mid-run have no timer left to end them (runs/one-off.ts).
    const reaped = await deps.driver.reapExpiredOneOffs().catch((err: unknown) => { platform.logger.warn({ err }, 'could not reap expired one-offs'); return 0; });
    if (reaped) platform.logger.info({ reaped }, 'one-offs past their deadline removed');
    const r = await sleepIdleSites(deps);
    if (r.paused.length || r.stopped.length) platform.logger.info(r, 'idle sites put to sleep');
    return r;
  }, { connection: platform.queues.connection, prefix: platform.queues.prefix, concurrency: 1 });
  worker.on('error', (err) => platform.logger.error({ err }, 'sleep worker error'));
  return worker;
}
