// Puts a release live without downtime: the release phase (migrations) in a one-off container,
// then the new replicas start and must pass their health check, then the edge switches to them,
// then the old replicas drain (SIGTERM: the runtime finishes in-flight requests) and go away.
// Any failure before the switch removes the new replicas and leaves the old ones serving.
import type { Driver, ReplicaSpec, ReplicaState, ResourceLimits } from '../drivers/driver.js';
import { errors } from '../errors.js';
import type { Upstream } from '../store/schema.js';
import { waitHealthy } from '../drivers/health-check.js';

export interface ReleasePlan {
  site: string;
  /** Release id, used in replica names and labels. */
  release: string;
  image: string;
  /** The directory the process driver runs (the unpacked slug). */
  dir?: string;
  env: Record<string, string>;
  replicas: number;
  limits: ResourceLimits;
  /** Command (argv after node) that applies the site's migrations; none: skip the release phase. */
  migrateCommand?: string[];
  port?: number;
  healthPath?: string;
  healthTimeoutMs?: number;
  /** Seconds old replicas get to finish their requests. */
  drainSeconds?: number;
}

export interface ReleaseOutcome {
  replicas: ReplicaState[];
  upstreams: Upstream[];
  drained: number;
  timings: Record<string, number>;
}

export interface ReleaserDeps {
  driver: Driver;
  /** Points the edge at these upstreams; resolves once it routes there. */
  switchEdge(site: string, upstreams: Upstream[]): Promise<void>;
  /** Called once the edge routes to the new release, before the old replicas drain. */
  onLive?: (timings: Record<string, number>) => Promise<void>;
  log?: (line: string) => void;
}

/** The spec of one process of a release: a web replica, or (with a command) a one-off like the release phase. */
export function replicaSpec(plan: Pick<ReleasePlan, 'site' | 'release' | 'image' | 'dir' | 'env' | 'limits' | 'port'>, replica: number, command?: string[]): ReplicaSpec {
  return {
    site: plan.site, release: plan.release, replica, image: plan.image, env: plan.env, port: plan.port ?? 8000, limits: plan.limits,
    ...(plan.dir ? { dir: plan.dir } : {}), ...(command ? { command } : {}),
  };
}

export async function release(deps: ReleaserDeps, plan: ReleasePlan, previous: ReplicaState[]): Promise<ReleaseOutcome> {
  const { driver } = deps;
  const log = deps.log ?? (() => undefined);
  const timings: Record<string, number> = {};
  let t = Date.now();
  const lap = (name: string) => { timings[name] = Date.now() - t; t = Date.now(); };
  const spec = (replica: number, command?: string[]): ReplicaSpec => replicaSpec(plan, replica, command);

  if (plan.migrateCommand) {
    log('release phase: applying migrations');
    const r = await driver.exec(spec(0, plan.migrateCommand), { timeoutMs: 300_000, onLine: (l) => log(`  ${l.line}`) });
    if (r.exitCode !== 0) throw errors.releaseFailed(`migrations exited with code ${r.exitCode}`);
    lap('migrate');
  }

  log(`starting ${plan.replicas} replica(s)`);
  const started: ReplicaState[] = [];
  let running: ReplicaState[];
  try {
    for (let i = 0; i < plan.replicas; i++) started.push(await driver.create(spec(i)));
    running = await Promise.all(started.map((r) => driver.start(r.id)));
    lap('start');
    await Promise.all(running.map(async (r) => {
      if (!r.address) throw new Error(`replica ${r.name} has no address (${r.status})`);
      await waitHealthy(`http://${r.address.host}:${r.address.port}${plan.healthPath ?? '/healthz'}`, {
        timeoutMs: plan.healthTimeoutMs ?? 30_000,
        abandon: async () => {
          const s = await driver.inspect(r.id);
          return s.status === 'exited' || s.status === 'missing' ? `the replica ${s.status} (code ${s.exitCode ?? '?'})` : undefined;
        },
      });
    }));
    lap('health');
    log('health check passed; switching the edge');
    await deps.switchEdge(plan.site, running.map((r) => ({ ...r.address!, id: r.id })));
    lap('switch');
  } catch (err) {
    const tail: string[] = [];
    for (const r of started.slice(0, 1)) {
      try {
        for await (const l of driver.logs(r.id, { tail: 20 })) tail.push(l.line);
      } catch { /* gone */ }
    }
    for (const line of tail) log(`  ${line}`);
    await Promise.all(started.map((r) => driver.remove(r.id)));
    if ((err as { code?: string }).code === 'PDK_RELEASE_FAILED') throw err;
    const telling = tellingLine(tail);
    throw errors.releaseFailed(`${(err as Error).message}${telling ? ` (its log says: ${telling})` : ''}`);
  }
  // Live from here: whatever happens next must not touch the new replicas.
  const upstreams = running.map((r) => ({ ...r.address!, id: r.id }));
  await deps.onLive?.({ ...timings });
  const old = previous.filter((p) => !started.some((s) => s.id === p.id));
  await Promise.all(old.map(async (o) => {
    await driver.stop(o.id, plan.drainSeconds ?? 10);
    await driver.remove(o.id);
  }));
  lap('drain');
  if (old.length) log(`drained ${old.length} old replica(s)`);
  return { replicas: running, upstreams, drained: old.length, timings };
}

/**
 * The line of a failed replica's log that says what went wrong: the last error line, not Node's
 * closing "Node.js v20..." or a stack frame; else the last line with words in it.
 */
export function tellingLine(lines: readonly string[]): string | undefined {
  const useful = lines.map((l) => l.trim()).filter((l) => l && !/^Node\.js v\d/.test(l) && !/^at\s/.test(l) && !/^\^+$/.test(l));
  return useful.findLast((l) => /\b[A-Z]\w*(Error|Exception)\b|\berror\b/i.test(l)) ?? useful.at(-1);
}
