// The one interface every way of running a site's processes implements (docker, process; swarm
// later), so the releaser, the activator and the sleep job never know which one they drive.

export interface ResourceLimits {
  memoryMb: number;
  /** Fractions allowed (0.5 = half a core). */
  cpus: number;
  pids: number;
}

/** What is needed to run one replica (or one one-off command) of a release. */
export interface ReplicaSpec {
  site: string;
  release: string;
  /** 0, 1, ... for web replicas; ignored for one-off commands. */
  replica: number;
  /** Docker: the release image. */
  image: string;
  /** Process driver: the unpacked release directory (the image's /app). */
  dir?: string;
  /** Overrides the image's command (argv after node); default: serve the site. */
  command?: string[];
  env: Record<string, string>;
  /** Port the site listens on inside the replica (passed as PORT). */
  port: number;
  limits: ResourceLimits;
}

export type ReplicaStatus = 'created' | 'running' | 'paused' | 'exited' | 'missing';

export interface ReplicaState {
  id: string;
  name: string;
  site: string;
  release: string;
  replica: number;
  status: ReplicaStatus;
  /** Where the edge reaches it, once running. */
  address?: { host: string; port: number };
  exitCode?: number;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  at: Date;
  line: string;
}

export interface LogOptions {
  follow?: boolean;
  /** Only the last N lines of history. */
  tail?: number;
  signal?: AbortSignal;
}

export interface ExecOptions {
  /** Killed (and its container removed) after this long; default 120 s. */
  timeoutMs?: number;
  /** Aborting kills it at once (docker: the container is removed; process: its whole process group). */
  signal?: AbortSignal;
  /** Every line, as it comes: the way to see all of a long output (the result keeps only its end). */
  onLine?: (l: LogLine) => void;
  /**
   * An interactive run (`paddock run -- shell`): the one-off reads `input` as its stdin and writes its output to
   * `output` as raw bytes (docker: through a TTY, stdout and stderr together), instead of lines to onLine.
   */
  stdio?: ExecStdio;
}

export interface ExecStdio {
  input: NodeJS.ReadableStream;
  /** Not ended by the driver: the caller says how the run ended after it. */
  output: NodeJS.WritableStream;
}

/** What a one-off's result keeps of its output: the last lines, so a chatty command cannot fill the control plane's memory. */
export const EXEC_TAIL_LINES = 200;
export const EXEC_TAIL_CHARS = 64 * 1024;

export interface OneOffResult {
  /** 137 when it was killed (time limit or abort). */
  exitCode: number;
  /** The last lines (at most EXEC_TAIL_LINES, EXEC_TAIL_CHARS characters); `onLine` saw them all. */
  output: LogLine[];
  /** Lines left out of `output` (the oldest ones). */
  dropped: number;
  timedOut: boolean;
  aborted: boolean;
}

/** Keeps the end of a one-off's output within EXEC_TAIL_LINES lines and EXEC_TAIL_CHARS characters. */
export class OutputTail {
  readonly lines: LogLine[] = [];
  dropped = 0;
  private chars = 0;
  push(l: LogLine): void {
    // A single line longer than the whole budget keeps its end (where errors usually say why).
    const line = l.line.length > EXEC_TAIL_CHARS ? { ...l, line: l.line.slice(-EXEC_TAIL_CHARS) } : l;
    this.lines.push(line);
    this.chars += line.line.length;
    while (this.lines.length > EXEC_TAIL_LINES || this.chars > EXEC_TAIL_CHARS) {
      this.chars -= this.lines.shift()!.line.length;
      this.dropped++;
    }
  }
}

/** Exit code of a one-off that was killed, as a shell reports SIGKILL. */
export const KILLED_EXIT_CODE = 137;

export interface Driver {
  readonly kind: 'docker' | 'process';
  /** False for drivers that give no isolation between sites (process): never in production. */
  readonly isolates: boolean;
  create(spec: ReplicaSpec): Promise<ReplicaState>;
  start(id: string): Promise<ReplicaState>;
  stop(id: string, graceSeconds?: number): Promise<void>;
  pause(id: string): Promise<void>;
  /** Unfreezes a paused replica or starts a stopped one; says which it had to do. */
  resume(id: string): Promise<'unpaused' | 'started' | 'running'>;
  remove(id: string): Promise<void>;
  inspect(id: string): Promise<ReplicaState>;
  /** Replicas of a site (all sites when omitted), whatever their state. */
  list(site?: string): Promise<ReplicaState[]>;
  logs(id: string, opts?: LogOptions): AsyncIterable<LogLine>;
  /** Runs a one-off command (the release phase's migrations) with the replica's isolation, and waits. */
  exec(spec: ReplicaSpec, opts?: ExecOptions): Promise<OneOffResult>;
  /** Removes everything of a site: replicas, their network holders, one-offs still running, its network. */
  removeSite(site: string): Promise<void>;
  /**
   * Removes every process of one release of a site — replicas, their network holders, its release
   * phase — whatever state it is in (what a release that never went live leaves when its worker
   * died). Returns how many containers (or processes) went.
   */
  removeRelease(site: string, release: string): Promise<number>;
  /**
   * Removes one-offs past their deadline (ExecOptions.timeoutMs from their start): the timer that
   * ends a one-off lives in the process that started it, and dies with it. Returns how many went.
   */
  reapExpiredOneOffs(now?: Date): Promise<number>;
  /** The address at which a replica of the site reaches services on this host (Postgres, the cache). */
  hostAddress(site: string): Promise<string>;
  /**
   * Installs what keeps sites in their place on this host beyond each container's own settings —
   * docker: the egress policy (drivers/egress.ts) — or checks it is still there. Cheap to call often.
   */
  ensureIsolation(): Promise<void>;
  /** Memory a running replica uses now, in bytes (for the site's metrics); undefined when unknown. */
  memoryBytes(id: string): Promise<number | undefined>;
}
