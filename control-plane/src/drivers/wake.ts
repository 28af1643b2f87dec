// Brings a stopped site's replicas back for the activator, in as few engine calls as the driver
// allows (a wake from stopped is waited on by a visitor): a plain start, whose state carries the
// replica's new address, then a wait until the site's process listens there.
import { waitListening } from './health-check.js';
import type { Driver, ReplicaState } from './driver.js';

export interface WokenReplica {
  id: string;
  host: string;
  port: number;
}

/** Starts one replica believed stopped; one the sleep job only paused (a race) is unpaused instead. */
async function startStopped(driver: Driver, id: string): Promise<ReplicaState> {
  let state: ReplicaState;
  try {
    state = await driver.start(id);
  } catch (err) {
    // Docker refuses to start a paused container (409); resume() sorts out whatever state it is in.
    if (((err as { statusCode?: number }).statusCode ?? 0) !== 409) throw err;
    await driver.resume(id);
    return driver.inspect(id);
  }
  if (state.status === 'paused') {
    await driver.resume(id);
    return driver.inspect(id);
  }
  return state;
}

/**
 * Starts the replicas and resolves once each one that came up listens; replicas that do not come
 * up (exited at once, gone) are left out, and an empty list means the site could not be woken.
 */
export async function startForWake(driver: Driver, ids: string[], { timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<WokenReplica[]> {
  const states = await Promise.all(ids.map((id) => startStopped(driver, id)));
  const up = states.filter((s): s is ReplicaState & { address: { host: string; port: number } } => Boolean(s.address));
  const waits = await Promise.allSettled(up.map((s) => waitListening(s.address, {
    timeoutMs,
    // A site that crashes while booting fails its wake now, not after the whole timeout.
    abandon: async () => {
      const now = await driver.inspect(s.id);
      return now.status === 'running' ? undefined : `the replica is ${now.status}${now.exitCode !== undefined ? ` (exit code ${now.exitCode})` : ''}`;
    },
  })));
  const listening = up.filter((_, i) => waits[i]?.status === 'fulfilled');
  const failed = waits.find((w): w is PromiseRejectedResult => w.status === 'rejected');
  if (listening.length === 0 && failed) throw failed.reason;
  return listening.map((s) => ({ id: s.id, host: s.address.host, port: s.address.port }));
}
