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

export interface OneOffResult {
  exitCode: number;
  output: LogLine[];
}

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
  exec(spec: ReplicaSpec, opts?: { timeoutMs?: number; onLine?: (l: LogLine) => void }): Promise<OneOffResult>;
  /** Frees what a site holds beyond its replicas (its network). */
  removeSite(site: string): Promise<void>;
  /** The address at which a replica of the site reaches services on this host (Postgres, the cache). */
  hostAddress(site: string): Promise<string>;
  /** Memory a running replica uses now, in bytes (for the site's metrics); undefined when unknown. */
  memoryBytes(id: string): Promise<number | undefined>;
}

/** Split a byte stream into lines, keeping a partial last line until more arrives. */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer | string): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      rest += chunk.toString();
      const parts = rest.split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) onLine(p.replace(/\r$/, ''));
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}
