// Runs HAProxy in master-worker mode as the edge's data plane and keeps it in step with the route
// table: map-only changes (sleep, wake, a domain) go over the runtime API; anything else rewrites
// the config, checks it with `haproxy -c` and reloads through the master socket, waiting until the
// new worker answers. Access lines (HAProxy logs to stdout) are handed to a callback.
// It also supervises HAProxy: every change is written to the config and map files before HAProxy
// gets it, so when HAProxy dies (a crash, kill -9 of its master or of its worker) it is started
// again at once from those files, and routes exactly as before.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { lineSplitter } from '../line-splitter.js';
import { assignSlots, files, renderConfig, renderMap, structureOf, type HaproxyLayout, type Slots } from './haproxy-config.js';
import { notFoundPage, suspendedPage } from './pages.js';
import type { RouteTable } from './route-table.js';

export interface BackendStats {
  backend: string;
  requests: number;
  /** Average response / total time over the last 1024 requests, ms. */
  responseMs: number;
  totalMs: number;
  errors5xx: number;
  current: number;
}

export interface HaproxyOptions {
  binary?: string;
  onLog?: (line: string) => void;
  /** HAProxy exited without being asked to; it is being started again. */
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  /** HAProxy runs again after dying: `ms` from its death to its new worker answering. */
  onRestart?: (ms: number) => void;
  /** A restart attempt failed; the next one follows after `retryMs`. */
  onRestartFailed?: (err: Error, retryMs: number) => void;
  /**
   * Called (and awaited) right before a reload: the last chance to read the old worker's
   * counters, which the new worker starts again from zero. Its failure does not stop the reload.
   */
  beforeReload?: () => Promise<void>;
}

/** Backend counters and the process (worker pid) that answered them. */
export interface WorkerStats {
  worker: string | undefined;
  backends: BackendStats[];
}

/** One command on a HAProxy CLI socket; resolves with the whole answer. */
export function socketCommand(path: string, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(path);
    let out = '';
    const timer = setTimeout(() => sock.destroy(new Error(`HAProxy did not answer "${command}" within ${timeoutMs} ms`)), timeoutMs);
    sock.on('connect', () => sock.end(`${command}\n`));
    sock.on('data', (d) => { out += d.toString(); });
    sock.on('close', () => { clearTimeout(timer); resolve(out); });
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

function writeAtomic(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Delay before the next restart attempt after `failures` failed ones: the first goes at once. */
function restartBackoffMs(failures: number): number {
  return failures === 0 ? 0 : Math.min(5000, 100 * 2 ** (failures - 1));
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export class HaproxyEdge {
  private child: ChildProcess | undefined;
  private config = '';
  private slots: Slots = new Map();
  private map = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  /** A restart under way after HAProxy died; changes wait for it. */
  private restarting: Promise<void> | undefined;
  private stopping = false;
  /** Set once HAProxy first came up: from then on a death is met with a restart. */
  private supervising = false;
  readonly files: ReturnType<typeof files>;
  reloads = 0;
  /** Times HAProxy died and was started again. */
  restarts = 0;

  constructor(private readonly layout: HaproxyLayout, private readonly opts: HaproxyOptions = {}) {
    this.files = files(layout.dir);
  }

  private get binary(): string {
    return this.opts.binary ?? (existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy');
  }

  async start(table: RouteTable): Promise<void> {
    mkdirSync(this.layout.dir, { recursive: true });
    writeFileSync(this.files.notFound, notFoundPage);
    writeFileSync(this.files.suspended, suspendedPage);
    this.writeFiles(table);
    this.check();
    await this.stopLeftover();
    this.stopping = false;
    await this.launch();
    this.supervising = true;
  }

  /** The master pid HAProxy wrote, if that process still runs HAProxy with this config. */
  private leftoverPid(): number | undefined {
    let pid: number;
    try {
      pid = Number(readFileSync(this.files.pid, 'utf8').trim());
    } catch {
      return undefined;
    }
    if (!Number.isInteger(pid) || pid <= 1) return undefined;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return undefined;
    }
    return cmdline.includes(this.files.config) ? pid : undefined;
  }

  /**
   * An edge process that died without stopping its HAProxy (kill -9, a crash) leaves it serving its
   * last config; the edge starting in its place stops it first, so only one data plane runs.
   */
  private async stopLeftover(): Promise<void> {
    const pid = this.leftoverPid();
    if (pid === undefined) return;
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < deadline) await delay(20);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }

  /** Starts HAProxy from the files as they are; resolves once its worker answers. */
  private async launch(): Promise<void> {
    for (const s of [this.files.adminSocket, this.files.masterSocket]) rmSync(s, { force: true });
    // Its own process group: a signal to the edge's group (Ctrl-C in a terminal, a supervisor
    // stopping the edge) is the edge's to handle — it reads the last counters, then stops HAProxy —
    // and must not look like HAProxy dying.
    const child = spawn(this.binary, ['-W', '-S', `${this.files.masterSocket},mode,600`, '-p', this.files.pid, '-f', this.files.config], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    const lines = lineSplitter((l) => this.opts.onLog?.(l));
    child.stdout?.on('data', (c: Buffer) => lines.push(c));
    const errs: string[] = [];
    child.stderr?.on('data', (c: Buffer) => { errs.push(c.toString()); if (errs.length > 50) errs.shift(); });
    let exited = false;
    child.on('error', () => undefined); // a failed spawn also exits, which is handled below
    child.on('exit', (code, signal) => {
      exited = true;
      this.exited(child, code, signal);
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (exited) throw new Error(`HAProxy exited at start: ${errs.join('').trim()}`);
      try {
        if ((await socketCommand(this.files.adminSocket, 'show info', 1000)).includes('Pid:')) return;
      } catch { /* not up yet */ }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`HAProxy did not come up within 10 s: ${errs.join('').trim()}`);
      }
      await delay(10);
    }
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    if (this.stopping || !this.supervising) return;
    this.opts.onExit?.(code, signal);
    this.restarting ??= this.restart(performance.now()).finally(() => { this.restarting = undefined; });
  }

  /** HAProxy died: start it again from its last config, at once, then with backoff while that fails. */
  private async restart(diedAt: number): Promise<void> {
    for (let failures = 0; !this.stopping; failures++) {
      const wait = restartBackoffMs(failures);
      if (wait) await delay(wait);
      if (this.stopping) return;
      try {
        await this.launch();
        this.restarts++;
        this.opts.onRestart?.(Math.round(performance.now() - diedAt));
        return;
      } catch (err) {
        this.opts.onRestartFailed?.(err as Error, restartBackoffMs(failures + 1));
      }
    }
  }

  /** Resolves once HAProxy runs (at once, unless it is being started again after dying). */
  async running(): Promise<void> {
    await this.restarting;
  }

  private writeFiles(table: RouteTable, slots: Slots = assignSlots(table, this.slots)): void {
    this.slots = slots;
    this.config = renderConfig(table, this.layout, slots);
    const mapText = renderMap(table);
    writeAtomic(this.files.map, mapText);
    writeAtomic(this.files.config, this.config);
    this.map = new Map(mapText.trim().split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
  }

  private check(): void {
    const r = spawnSync(this.binary, ['-c', '-q', '-f', this.files.config], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`HAProxy refuses the rendered config: ${(r.stderr || r.stdout).trim()}`);
  }

  /** Brings the data plane to this table; calls are serialised. Returns how it was applied. */
  apply(table: RouteTable): Promise<'unchanged' | 'runtime' | 'reload'> {
    const run = this.queue.then(() => this.applyNow(table));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(table: RouteTable): Promise<'unchanged' | 'runtime' | 'reload'> {
    await this.restarting;
    if (!this.child) throw new Error(this.stopping ? 'HAProxy was stopped.' : 'HAProxy is not running; start the edge first.');
    const slots = assignSlots(table, this.slots);
    const mapText = renderMap(table);
    const next = new Map(mapText.trim().split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
    if (structureOf(slots) === structureOf(this.slots)) {
      const commands: string[] = [];
      // New replicas first (slots become ready), then the old ones leave, then the hosts move.
      for (const [backend, list] of slots) {
        const before = this.slots.get(backend) ?? [];
        list.forEach((u, i) => {
          const had = before[i];
          if (u && (!had || had.host !== u.host || had.port !== u.port)) {
            commands.push(`set server ${backend}/s${i} addr ${u.host} port ${u.port}`, `set server ${backend}/s${i} state ready`);
          }
        });
      }
      for (const [backend, list] of slots) {
        const before = this.slots.get(backend) ?? [];
        list.forEach((u, i) => { if (!u && before[i]) commands.push(`set server ${backend}/s${i} state maint`); });
      }
      for (const [host, backend] of next) {
        const had = this.map.get(host);
        if (had === undefined) commands.push(`add map ${this.files.map} ${host} ${backend}`);
        else if (had !== backend) commands.push(`set map ${this.files.map} ${host} ${backend}`);
      }
      for (const host of this.map.keys()) if (!next.has(host)) commands.push(`del map ${this.files.map} ${host}`);
      if (commands.length === 0) return 'unchanged';
      // What a later reload or restart starts from.
      this.writeFiles(table, slots);
      const answer = await socketCommand(this.files.adminSocket, commands.join(';'));
      const refused = answer.split('\n').filter((l) => /unknown|not found|error|invalid|require/i.test(l));
      if (refused.length) throw new Error(`HAProxy refused a runtime change: ${refused.join(' / ')}`);
      return 'runtime';
    }
    const before = { config: this.config, map: new Map(this.map), slots: this.slots };
    this.writeFiles(table, slots);
    try {
      this.check();
    } catch (err) {
      this.config = before.config;
      this.map = before.map;
      this.slots = before.slots;
      throw err;
    }
    await this.reload();
    return 'reload';
  }

  /**
   * Runs `fn` between route changes, never during a reload (certificate changes over the runtime
   * API must reach the worker that stays); `fn` gets one runtime API command at a time.
   */
  exclusive<T>(fn: (command: (line: string) => Promise<string>) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      await this.restarting;
      if (!this.child) throw new Error(this.stopping ? 'HAProxy was stopped.' : 'HAProxy is not running; start the edge first.');
      return fn((line) => socketCommand(this.files.adminSocket, line));
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async workerPid(): Promise<string | undefined> {
    try {
      return /Pid: (\d+)/.exec(await socketCommand(this.files.adminSocket, 'show info', 1000))?.[1];
    } catch {
      return undefined;
    }
  }

  private async reload(): Promise<void> {
    await this.opts.beforeReload?.().catch(() => undefined);
    const child = this.child;
    const old = await this.workerPid();
    try {
      await socketCommand(this.files.masterSocket, 'reload');
    } catch (err) {
      // It died meanwhile: the restart starts from the files, which hold this change already.
      if (this.child !== child || this.restarting) return this.running();
      throw err;
    }
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (this.child !== child || this.restarting) return this.running();
      const pid = await this.workerPid();
      if (pid && pid !== old) break;
      if (Date.now() > deadline) throw new Error('HAProxy did not finish reloading within 10 s');
      await delay(10);
    }
    this.reloads++;
  }

  async stats(): Promise<BackendStats[]> {
    return (await this.workerStats()).backends;
  }

  /**
   * Backend counters with the pid of the worker that keeps them, asked on one connection so both
   * come from the same worker: around a reload, old and new workers answer with different counts.
   */
  async workerStats(): Promise<WorkerStats> {
    const answer = await socketCommand(this.files.adminSocket, 'show info;show stat -1 2 -1');
    const at = answer.indexOf('# pxname');
    const worker = /^Pid: (\d+)$/m.exec(at >= 0 ? answer.slice(0, at) : answer)?.[1];
    const csv = at >= 0 ? answer.slice(at) : '';
    const [head, ...rows] = csv.replace(/^# /, '').trim().split('\n');
    const cols = (head ?? '').split(',');
    const num = (row: string[], name: string) => Number(row[cols.indexOf(name)] ?? 0) || 0;
    const backends = rows.map((r) => r.split(',')).filter((r) => r[1] === 'BACKEND').map((r) => ({
      backend: r[0] ?? '',
      requests: num(r, 'req_tot'),
      responseMs: num(r, 'rtime'),
      totalMs: num(r, 'ttime'),
      errors5xx: num(r, 'hrsp_5xx'),
      current: num(r, 'scur'),
    }));
    return { worker, backends };
  }

  /** The master's pid (what `kill` would aim at), while HAProxy runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.restarting;
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
  }
}
