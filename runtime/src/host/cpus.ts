// How many CPUs this process may actually use: the CPUs it may be scheduled on (affinity), capped by the CPU quota of
// its cgroup and of every cgroup above it (a container's `--cpus`, a systemd CPUQuota=). What `serve --workers auto`
// starts: more processes than that only queue for the same CPU time and make latency worse.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/** Where the files are read from; tests point them at a made-up tree. */
export interface CpuSources {
  /** The cgroup v2 mount (default /sys/fs/cgroup). */
  cgroupRoot?: string;
  /** The text of /proc/self/cgroup. */
  selfCgroup?: string;
  /** os.availableParallelism(). */
  parallelism?: number;
}

function read(file: string): string | undefined {
  try { return readFileSync(file, 'utf8'); } catch { return undefined; }
}

/** The quota of one cgroup v2 directory in CPUs (`cpu.max`: "150000 100000" = 1.5), or undefined for "max" or none. */
function quotaAt(dir: string): number | undefined {
  const [quota, period] = (read(join(dir, 'cpu.max')) ?? '').trim().split(/\s+/);
  const q = Number(quota), p = Number(period);
  return quota !== 'max' && q > 0 && p > 0 ? q / p : undefined;
}

/** The smallest CPU quota from the process's cgroup up to the root, in CPUs; undefined when none is set (or no cgroup v2). */
export function cgroupCpuQuota(sources: CpuSources = {}): number | undefined {
  const root = sources.cgroupRoot ?? '/sys/fs/cgroup';
  const self = sources.selfCgroup ?? read('/proc/self/cgroup') ?? '';
  // cgroup v2 has one line "0::/path" (inside a container with its own cgroup namespace, "0::/").
  const path = /^0::(\/.*)$/m.exec(self)?.[1] ?? '/';
  let smallest: number | undefined;
  const parts = path.split('/').filter((p) => p !== '' && p !== '..' && p !== '.');
  for (let depth = parts.length; depth >= 0; depth--) {
    const q = quotaAt(join(root, ...parts.slice(0, depth)));
    if (q !== undefined && (smallest === undefined || q < smallest)) smallest = q;
  }
  return smallest;
}

/**
 * Whole CPUs this process may use, at least 1: the CPUs it may run on, capped by its cgroups' quota rounded down
 * (a 1.5-CPU quota gives 1: a second process would only share the half CPU with the first).
 */
export function usableCpus(sources: CpuSources = {}): number {
  const cpus = sources.parallelism ?? availableParallelism();
  const quota = cgroupCpuQuota(sources);
  return Math.max(1, Math.min(cpus, quota === undefined ? cpus : Math.floor(quota)));
}

/**
 * The worker count `serve` starts without --workers: the usable CPUs when a CPU quota says what the process was given
 * (a site container), otherwise 1. Without a quota the process shares the machine with everything else on it (a
 * laptop, the process driver, CI): measured on a busy 2-core machine, two workers served 0.5–0.95× of one process's
 * requests, with a p99 up to 3× worse. `--workers auto` asks for the usable CPUs anyway.
 */
export function defaultWorkers(sources: CpuSources = {}): number {
  return cgroupCpuQuota(sources) === undefined ? 1 : usableCpus(sources);
}
