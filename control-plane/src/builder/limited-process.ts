// Runs a build step (the compiler, npm) as a child process inside its own cgroup, with a memory,
// CPU and pids ceiling, so one tenant's build cannot starve the host. cgroup v2 and v1 are
// supported; where neither can be written (not root), the step runs niced with a timeout only and
// the log says so.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineSplitter } from '../line-splitter.js';

export interface ProcessLimits {
  memoryMb: number;
  cpus: number;
  pids: number;
  timeoutMs: number;
}

export const defaultBuildLimits: ProcessLimits = { memoryMb: 1024, cpus: 1, pids: 256, timeoutMs: 300_000 };

export interface LimitedRun {
  cmd: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  limits?: ProcessLimits;
  onLine?: (line: string) => void;
}

export interface LimitedResult {
  exitCode: number;
  /** How the limits were enforced: 'cgroup-v2', 'cgroup-v1' or 'none'. */
  enforcement: string;
  output: string[];
}

const ROOT = '/sys/fs/cgroup';

interface Cgroup {
  kind: string;
  /** cgroup.procs files the child must join. */
  procs: string[];
  dirs: string[];
}

function tryWrite(path: string, value: string): boolean {
  try {
    writeFileSync(path, value);
    return true;
  } catch {
    return false;
  }
}

/** Makes a cgroup for one run; undefined when this process may not. */
function makeCgroup(limits: ProcessLimits): Cgroup | undefined {
  const id = `paddock-build-${randomBytes(6).toString('hex')}`;
  try {
    if (existsSync(join(ROOT, 'cgroup.controllers'))) {
      const dir = join(ROOT, id);
      mkdirSync(dir);
      const ok = tryWrite(join(dir, 'memory.max'), String(limits.memoryMb * 1024 * 1024))
        && tryWrite(join(dir, 'cpu.max'), `${Math.round(limits.cpus * 100_000)} 100000`);
      tryWrite(join(dir, 'pids.max'), String(limits.pids));
      if (!ok) { rmdirSync(dir); return undefined; }
      return { kind: 'cgroup-v2', procs: [join(dir, 'cgroup.procs')], dirs: [dir] };
    }
    const mem = join(ROOT, 'memory', id);
    const cpu = join(ROOT, 'cpu', id);
    const pids = join(ROOT, 'pids', id);
    mkdirSync(mem);
    mkdirSync(cpu);
    const dirs = [mem, cpu];
    const ok = tryWrite(join(mem, 'memory.limit_in_bytes'), String(limits.memoryMb * 1024 * 1024))
      && tryWrite(join(cpu, 'cpu.cfs_period_us'), '100000')
      && tryWrite(join(cpu, 'cpu.cfs_quota_us'), String(Math.round(limits.cpus * 100_000)));
    tryWrite(join(mem, 'memory.memsw.limit_in_bytes'), String(limits.memoryMb * 1024 * 1024));
    if (existsSync(join(ROOT, 'pids'))) {
      try {
        mkdirSync(pids);
        dirs.push(pids);
        tryWrite(join(pids, 'pids.max'), String(limits.pids));
      } catch { /* pids controller not available to us */ }
    }
    if (!ok) { dirs.forEach((d) => { try { rmdirSync(d); } catch { /* */ } }); return undefined; }
    return { kind: 'cgroup-v1', procs: dirs.map((d) => join(d, 'cgroup.procs')), dirs };
  } catch {
    return undefined;
  }
}

function removeCgroup(cg: Cgroup): void {
  // The kernel frees a cgroup once its last process is gone; retry briefly for stragglers.
  for (const d of cg.dirs) {
    for (let i = 0; i < 20; i++) {
      try { rmdirSync(d); break; } catch { /* still busy */ }
    }
  }
}

/** Runs the command limited; resolves with its exit code (a killed run gives a non-zero code). */
export function runLimited(run: LimitedRun): Promise<LimitedResult> {
  const limits = run.limits ?? defaultBuildLimits;
  const cg = makeCgroup(limits);
  // The shell joins the cgroup before exec'ing the command, so nothing runs outside it.
  const join = cg ? cg.procs.map((p) => `echo $$ > ${p}`).join(' && ') + ' && ' : '';
  const args = ['-c', `${join}exec nice -n 10 "$0" "$@"`, run.cmd, ...run.args];
  const output: string[] = [];
  const onLine = (l: string) => {
    output.push(l);
    if (output.length > 2000) output.shift();
    run.onLine?.(l);
  };
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', args, { cwd: run.cwd, env: run.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out = lineSplitter(onLine);
    const err = lineSplitter(onLine);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => {
      onLine(`killed after ${limits.timeoutMs} ms`);
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
    }, limits.timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); if (cg) removeCgroup(cg); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      out.end();
      err.end();
      if (cg) removeCgroup(cg);
      resolve({ exitCode: code ?? (signal ? 137 : 1), enforcement: cg?.kind ?? 'none', output });
    });
  });
}
