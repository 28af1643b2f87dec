// Ends the work a dead worker left half-done in the deploy pipeline: deploys left `building` or
// `releasing` and releases left `pending` when the worker running them died (kill -9, a crash, a
// lost machine) — what they started is removed (replicas, their network holders, the release
// phase) and they are failed, so the site's next deploy starts clean and the previous release
// keeps serving.
//
// A deploy is known to be dead by two signs, both needed: nobody holds the site's deploy lock (a
// session-level Postgres advisory lock, held by a running deploy for its whole length, released
// by Postgres when the session's process dies) and its queue job holds no lock in Redis either
// (the worker renews it while the job runs; it lapses within the job's lock duration once the
// worker is gone). Either one alone could mislead: a live worker whose Postgres connection broke
// lost the advisory lock but still renews its job lock. Several workers may reconcile at once:
// each site is reconciled under its deploy lock, taken only if free.
import { endAbandonedDeploy, endStrayRelease, ifNoDeployRuns } from './deploys.js';
import type { DeployRuntime } from '../platform/deploy-runtime.js';

export interface ReconcileOptions {
  /** True while a worker holds the queue job of this deploy (default: none does, as when deploys run in-process). */
  jobRunning?: (deployId: string) => Promise<boolean>;
}

export interface ReconcileOutcome {
  /** Deploys ended as failed (their leftovers removed). */
  failed: string[];
  /** Deploys whose release had gone live before their worker died: recorded as live. */
  completed: string[];
  /** Pending releases of deploys already over, failed and removed. */
  strayReleases: string[];
  /** Sites whose deploy lock a live deploy holds: left alone this time. */
  busySites: string[];
}

export async function reconcileDeploys(deps: DeployRuntime, opts: ReconcileOptions = {}): Promise<ReconcileOutcome> {
  const db = deps.platform.db;
  const jobRunning = opts.jobRunning ?? (async () => false);
  const out: ReconcileOutcome = { failed: [], completed: [], strayReleases: [], busySites: [] };
  const open = await db.selectFrom('deploys').select('site_id').where('status', 'in', ['building', 'releasing']).execute();
  const pending = await db.selectFrom('releases').select('site_id').where('status', '=', 'pending').execute();
  const siteIds = [...new Set([...open, ...pending].map((r) => r.site_id))];
  for (const siteId of siteIds) {
    const done = await ifNoDeployRuns(deps, siteId, async () => {
      // Read again under the lock: what was under way a moment ago may have finished.
      const site = await db.selectFrom('sites').selectAll().where('id', '=', siteId).executeTakeFirstOrThrow();
      const deploys = await db.selectFrom('deploys').selectAll().where('site_id', '=', siteId).where('status', 'in', ['building', 'releasing']).execute();
      const handled = new Set<string>();
      for (const d of deploys) {
        if (await jobRunning(d.id)) continue;
        const ended = await endAbandonedDeploy(deps, d, site);
        (ended.status === 'succeeded' ? out.completed : out.failed).push(d.id);
        if (d.release_id) handled.add(d.release_id);
      }
      const stray = await db.selectFrom('releases').selectAll().where('site_id', '=', siteId).where('status', '=', 'pending').execute();
      for (const rel of stray) {
        if (handled.has(rel.id)) continue;
        // Its deploy still under way (its job lock held): not stray.
        if (deploys.some((d) => d.release_id === rel.id)) continue;
        await endStrayRelease(deps, rel, site);
        out.strayReleases.push(rel.id);
      }
      return true;
    });
    if (!done) out.busySites.push(siteId);
  }
  return out;
}
