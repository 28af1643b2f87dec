// Types of the harness for TypeScript scenarios: `import type { Scenario } from '../harness/index.mjs'`.

export interface WrkReport {
  requestsPerSec: number;
  requests: number;
  durationSec: number;
  bytesRead: number;
  latencyMs: { avg: number; stdev: number; max: number; p50?: number; p75?: number; p90?: number; p99?: number };
  reqPerThread?: { avg: number; stdev: number; max: number };
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  /** wrk's "Non-2xx or 3xx responses" (statuses >= 400). */
  non2xx: number;
  /** Socket errors plus non2xx: every failed request. */
  errors: number;
  raw?: string;
}

export interface WrkOptions {
  duration?: number;
  connections?: number;
  threads?: number;
  headers?: Record<string, string>;
  timeout?: string;
  script?: string;
  latency?: boolean;
  signal?: AbortSignal;
}

export interface ProcessHandle {
  name: string;
  pid: number;
  match: RegExpExecArray | null;
  exited: Promise<{ code: number | null; signal: string | null }>;
  output(): string;
  stop(opts?: { signal?: string; graceMs?: number }): Promise<unknown>;
}

export interface StartOptions {
  name?: string;
  cwd?: string;
  env?: Record<string, string | undefined>;
  port?: number;
  host?: string;
  ready?: RegExp;
  timeoutMs?: number;
  signal?: AbortSignal;
  uid?: number;
  gid?: number;
  /** Output lines to forget (noise that would push the useful tail out of the kept 32 KB). */
  dropLines?: RegExp;
}

export interface Upstream { url: string; port: number; pid: number; stop(): Promise<unknown> }

export interface LoadReport {
  requests: number;
  ok: number;
  failed: number;
  failures: Record<string, number>;
  statuses: Record<string, number>;
  bodies?: Record<string, number>;
  durationSec: number;
  requestsPerSec: number;
  maxLatencyMs: number;
  firstFailure?: { reason: string; atMs: number };
}

export interface LoadOptions {
  connections?: number;
  headers?: Record<string, string>;
  expect?: (status: number) => boolean;
  timeoutMs?: number;
  countBodies?: boolean;
  method?: string;
  /** Requests per second in all; unlimited by default. */
  rate?: number;
}

export interface Load {
  readonly report: LoadReport;
  ready(n?: number, opts?: { timeoutMs?: number }): Promise<void>;
  stop(): Promise<LoadReport>;
}

export interface Target { ratio: number; compare: '>=' | '<=' }

export interface Row {
  subject: string;
  baseline: string;
  measured?: string | Record<string, string | number>;
  /** subject / baseline (or any figure compared with target.ratio); null when not applicable. */
  ratio: number | null;
  /** Overrides the scenario's target; null for an informational row. */
  target?: Target | string | null;
  /** Overrides the verdict computed from ratio and target. */
  pass?: boolean;
}

export interface Context {
  name: string;
  /** Seconds per measurement (--duration). */
  duration: number;
  connections: number;
  threads: number;
  rounds: number;
  signal: AbortSignal;
  log(...args: unknown[]): void;
  /** Runs fn after the scenario (last in, first out), even when it throws. */
  defer(fn: () => unknown): void;
  tmpDir(prefix?: string): Promise<string>;
  startProcess(command: string, args?: string[], opts?: StartOptions): Promise<ProcessHandle>;
  helloUpstream(opts?: { body?: string }): Promise<Upstream>;
  wrk(url: string, opts?: WrkOptions): Promise<WrkReport>;
  constantLoad(url: string, opts?: LoadOptions): Load;
  underLoad<T>(url: string, opts: LoadOptions, fn: (load: Load) => Promise<T>, after?: { afterMs?: number }): Promise<{ report: LoadReport; result: T }>;
  freePort(host?: string): Promise<number>;
  interleave<K extends string, T>(subjects: Record<K, () => Promise<T>>, opts?: { rounds?: number }): Promise<Record<K, T[]>>;
  median(values: number[]): number;
  medianRun(reports: WrkReport[]): WrkReport;
  pairedRatio<T = WrkReport>(subjectRuns: T[], baselineRuns: T[], pick?: (r: T) => number): number;
}

export interface Scenario {
  name: string;
  description: string;
  target?: Target;
  run(ctx: Context): Promise<Row[]>;
}

export function parseWrk(text: string): WrkReport;
export function runWrk(url: string, opts?: WrkOptions): Promise<WrkReport>;
export function startProcess(command: string, args?: string[], opts?: StartOptions): Promise<ProcessHandle>;
/** CPU time (ms, user + system) used so far by every process in a process group (Linux /proc). */
export function groupCpuMs(pgid: number): number;
export function waitForPort(port: number, opts?: { host?: string; timeoutMs?: number; signal?: AbortSignal }): Promise<void>;
export function freePort(host?: string): Promise<number>;
export function helloUpstream(opts?: { body?: string; inProcess?: boolean }): Promise<Upstream>;
export function constantLoad(url: string, opts?: LoadOptions): Load;
export function underLoad<T>(url: string, opts: LoadOptions, fn: (load: Load) => Promise<T>, after?: { afterMs?: number }): Promise<{ report: LoadReport; result: T }>;
export function interleave<K extends string, T>(subjects: Record<K, () => Promise<T>>, opts?: { rounds?: number }): Promise<Record<K, T[]>>;
export function median(values: number[]): number;
export function medianRun(reports: WrkReport[]): WrkReport;
export function pairedRatio<T = WrkReport>(subjectRuns: T[], baselineRuns: T[], pick?: (r: T) => number): number;
export class WrkError extends Error { code: 'PDK_BENCH_WRK'; output: string }
export class ProcessError extends Error { code: 'PDK_BENCH_PROCESS' }
