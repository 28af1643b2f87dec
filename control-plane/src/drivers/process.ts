// Runs each replica as a plain child process of this control-plane process, for development on a
// machine without Docker. IT IS NOT AN ISOLATION BOUNDARY: every site runs as this user, sees this
// filesystem and network, and has no resource limits. It says so when created and `isolates` is
// false, so production code can refuse it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Driver, ExecOptions, ExecStdio, LogLine, LogOptions, OneOffResult, ReplicaSpec, ReplicaState, ReplicaStatus } from './driver.js';
import { KILLED_EXIT_CODE, OutputTail } from './driver.js';
import { lineSplitter } from '../line-splitter.js';
import { LineQueue } from './log-stream.js';

const IMAGE_RUNTIME = '/node_modules/@paddock/runtime/';
const IMAGE_SITE = '/app';

interface Proc {
  id: string;
  spec: ReplicaSpec;
  port: number;
  child?: ChildProcess;
  status: ReplicaStatus;
  exitCode?: number;
  lines: LogLine[];
  events: EventEmitter;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ProcessDriverOptions {
  /** Host directory of @paddock/runtime (maps the image's /node_modules/@paddock/runtime). */
  runtimeDir: string;
  /** Folder holding each site's uploads (`<mediaDir>/<site>`, its MEDIA_ROOT), kept across releases, removed with the site. */
  mediaDir?: string;
  warn?: (message: string) => void;
}

export class ProcessDriver implements Driver {
  readonly kind = 'process' as const;
  readonly isolates = false;
  private procs = new Map<string, Proc>();

  constructor(private readonly opts: ProcessDriverOptions) {
    (opts.warn ?? ((m: string) => process.emitWarning(m)))(
      'The process driver runs sites as plain child processes of the control plane: it is NOT an isolation boundary ' +
      '(same user, filesystem and network, no limits). Use it for development only; use the docker driver for tenants.',
    );
  }

  /** The image's paths, translated to this machine's. */
  private argv(spec: ReplicaSpec, serve: boolean): string[] {
    const dir = spec.dir ?? '.';
    const cmd = spec.command ?? (serve ? [`${IMAGE_RUNTIME}bin/paddock-runtime.mjs`, 'serve', '--site-dir', IMAGE_SITE] : []);
    return cmd.map((a) => (a.startsWith(IMAGE_RUNTIME) ? join(this.opts.runtimeDir, a.slice(IMAGE_RUNTIME.length))
      : a === IMAGE_SITE ? dir : a.startsWith(`${IMAGE_SITE}/`) ? join(dir, a.slice(IMAGE_SITE.length + 1)) : a));
  }

  private state(p: Proc): ReplicaState {
    const s: ReplicaState = { id: p.id, name: p.id, site: p.spec.site, release: p.spec.release, replica: p.spec.replica, status: p.status };
    if (p.status === 'running' || p.status === 'paused') s.address = { host: '127.0.0.1', port: p.port };
    if (p.exitCode !== undefined && p.status === 'exited') s.exitCode = p.exitCode;
    return s;
  }

  async create(spec: ReplicaSpec): Promise<ReplicaState> {
    const id = `proc-${spec.site}-${spec.release}-${spec.replica}-${randomBytes(3).toString('hex')}`;
    const p: Proc = { id, spec, port: await freePort(), status: 'created', lines: [], events: new EventEmitter() };
    this.procs.set(id, p);
    return this.state(p);
  }

  private spawnFor(p: Proc, argv: string[], ownGroup = false, io?: ExecStdio): ChildProcess {
    if (this.opts.mediaDir) mkdirSync(this.mediaRoot(p.spec.site), { recursive: true, mode: 0o750 });
    const child = spawn(process.execPath, argv, {
      cwd: p.spec.dir ?? process.cwd(),
      // A one-off leads its own process group, so whatever it started dies with it.
      detached: ownGroup,
      env: {
        PATH: process.env.PATH, ...p.spec.env, PORT: String(p.port), HOST: '127.0.0.1',
        ...(this.opts.mediaDir ? { PADDOCK_MEDIA_ROOT: this.mediaRoot(p.spec.site) } : {}),
      },
      stdio: [io ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    if (io && child.stdin && child.stdout && child.stderr) {
      // Pipes, not a terminal: the REPL reads lines and prints without prompts or echo.
      const stdin = child.stdin;
      stdin.on('error', () => { /* EPIPE: it exited while input was still coming */ });
      io.input.pipe(stdin);
      child.stdout.on('data', (c: Buffer) => io.output.write(c));
      child.stderr.on('data', (c: Buffer) => io.output.write(c));
      // 'close': after the last of its output, which may still be in the pipes at 'exit'.
      child.on('close', (code, signal) => {
        io.input.unpipe(stdin);
        p.status = 'exited';
        p.exitCode = code ?? (signal ? 128 : 1);
        p.child = undefined;
        p.events.emit('exit');
      });
      return child;
    }
    const push = (stream: LogLine['stream']) => lineSplitter((line) => {
      const l = { stream, at: new Date(), line };
      p.lines.push(l);
      if (p.lines.length > 1000) p.lines.shift();
      p.events.emit('line', l);
    });
    const out = push('stdout');
    const err = push('stderr');
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    child.on('exit', (code, signal) => {
      out.end();
      err.end();
      p.status = 'exited';
      p.exitCode = code ?? (signal ? 128 : 1);
      p.child = undefined;
      p.events.emit('exit');
    });
    return child;
  }

  async start(id: string): Promise<ReplicaState> {
    const p = this.procs.get(id);
    if (!p) return { id, name: id, site: '', release: '', replica: 0, status: 'missing' };
    if (!p.child) {
      p.child = this.spawnFor(p, this.argv(p.spec, true));
      p.status = 'running';
      p.exitCode = undefined;
    }
    return this.state(p);
  }

  async stop(id: string, graceSeconds = 10): Promise<void> {
    const p = this.procs.get(id);
    const child = p?.child;
    if (!p || !child) return;
    if (p.status === 'paused') child.kill('SIGCONT');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), graceSeconds * 1000);
      p.events.once('exit', () => { clearTimeout(timer); resolve(); });
      child.kill('SIGTERM');
    });
  }

  async pause(id: string): Promise<void> {
    const p = this.procs.get(id);
    if (p?.child && p.status === 'running') {
      p.child.kill('SIGSTOP');
      p.status = 'paused';
    }
  }

  async resume(id: string): Promise<'unpaused' | 'started' | 'running'> {
    const p = this.procs.get(id);
    if (!p) throw new Error(`no replica ${id}`);
    if (p.child && p.status === 'paused') {
      p.child.kill('SIGCONT');
      p.status = 'running';
      return 'unpaused';
    }
    if (p.child) return 'running';
    await this.start(id);
    return 'started';
  }

  async remove(id: string): Promise<void> {
    await this.stop(id, 2);
    this.procs.delete(id);
  }

  async inspect(id: string): Promise<ReplicaState> {
    const p = this.procs.get(id);
    return p ? this.state(p) : { id, name: id, site: '', release: '', replica: 0, status: 'missing' };
  }

  async list(site?: string): Promise<ReplicaState[]> {
    return [...this.procs.values()].filter((p) => !site || p.spec.site === site).map((p) => this.state(p));
  }

  logs(id: string, opts: LogOptions = {}): AsyncIterable<LogLine> {
    const queue = new LineQueue();
    const p = this.procs.get(id);
    if (!p) {
      queue.end();
      return queue;
    }
    const history = opts.tail !== undefined ? p.lines.slice(-opts.tail || p.lines.length) : p.lines;
    for (const l of opts.tail === 0 ? [] : history) queue.push(l);
    if (!opts.follow || !p.child) {
      queue.end();
      return queue;
    }
    const onLine = (l: LogLine) => queue.push(l);
    const onExit = () => queue.end();
    p.events.on('line', onLine);
    p.events.once('exit', onExit);
    const close = () => { p.events.off('line', onLine); p.events.off('exit', onExit); queue.end(); };
    queue.onClose = close;
    opts.signal?.addEventListener('abort', close, { once: true });
    return queue;
  }

  async exec(spec: ReplicaSpec, opts: ExecOptions = {}): Promise<OneOffResult> {
    if (opts.signal?.aborted) return { exitCode: KILLED_EXIT_CODE, output: [], dropped: 0, timedOut: false, aborted: true };
    const p: Proc = { id: `run-${randomBytes(3).toString('hex')}`, spec, port: await freePort(), status: 'running', lines: [], events: new EventEmitter() };
    const tail = new OutputTail();
    p.events.on('line', (l: LogLine) => { tail.push(l); opts.onLine?.(l); });
    const exited = new Promise<void>((resolve) => p.events.once('exit', () => resolve()));
    const child = this.spawnFor(p, this.argv(spec, false), true, opts.stdio);
    let timedOut = false;
    let aborted = false;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL'); // the group is gone already (or never formed): at least the child
      }
    };
    const timer = setTimeout(() => { timedOut = true; kill(); }, opts.timeoutMs ?? 120_000);
    const onAbort = () => { aborted = true; kill(); };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await exited;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    // Its children may outlive a child that exited by itself: the group goes with it.
    kill();
    const killed = timedOut || aborted;
    return { exitCode: killed ? KILLED_EXIT_CODE : p.exitCode ?? 1, output: tail.lines, dropped: tail.dropped, timedOut, aborted: aborted && !timedOut };
  }

  async removeRelease(site: string, release: string): Promise<number> {
    const mine = [...this.procs.values()].filter((p) => p.spec.site === site && p.spec.release === release);
    for (const p of mine) await this.remove(p.id);
    return mine.length;
  }

  async removeSite(site: string): Promise<void> {
    for (const p of [...this.procs.values()]) if (p.spec.site === site) await this.remove(p.id);
    if (this.opts.mediaDir) await rm(this.mediaRoot(site), { recursive: true, force: true });
  }

  /** The site's media folder (its uploads); created when the site's first process starts. */
  mediaRoot(site: string): string {
    if (!this.opts.mediaDir) throw new Error('This process driver keeps no media folders (no mediaDir option).');
    if (!/^[a-z0-9][a-z0-9-]*$/.test(site)) throw new Error(`Unexpected site name ${JSON.stringify(site)}.`);
    return join(this.opts.mediaDir, site);
  }

  /** Its one-offs are this process's children, killed by its own timers (and its process group): nothing outlives it here. */
  async reapExpiredOneOffs(): Promise<number> {
    return 0;
  }

  async hostAddress(): Promise<string> {
    return '127.0.0.1';
  }

  /** Nothing to install: this driver does not isolate sites (it says so). */
  async ensureIsolation(): Promise<void> {}

  /** The child's resident set (Linux /proc); undefined elsewhere or when it is not running. */
  async memoryBytes(id: string): Promise<number | undefined> {
    const pid = this.procs.get(id)?.child?.pid;
    if (!pid) return undefined;
    const kb = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''))?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  }
}
