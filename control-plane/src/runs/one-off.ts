// One-off commands of a site (`paddock run -- migrate`): a new container of the live release —
// its image, env and limits, exactly as the release phase runs migrations — that runs one
// paddock-runtime command in the site's directory and goes away. Bounded in time; a caller that
// stops waiting (a client that disconnects) kills it.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ExecStdio, LogLine } from '../drivers/driver.js';
import { errors } from '../errors.js';
import { runtimeCommand } from '../images/runtime-image.js';
import type { Site } from '../store/schema.js';
import { currentRelease, releaseProcesses } from '../releases/deploys.js';
import type { DeployRuntime } from '../platform/deploy-runtime.js';
import { replicaSpec } from '../releases/releaser.js';
import { RESERVED } from '../env/env-vars.js';
import { trackOneOff } from '../sites/running-one-offs.js';

/** The exit code of a one-off killed at its time limit (as coreutils' timeout answers). */
export const TIMED_OUT_EXIT_CODE = 124;

/** One-offs a site may run at once (each holds a replica's memory); reserved atomically in Redis. */
export const MAX_RUNNING_ONE_OFFS = 3;

/**
 * A reservation outlives its run's time limit by this much, then lapses by itself: an API that
 * dies mid-run cannot hold a site's slot for ever (the sweep removes the one-off itself within
 * ONE_OFF_REAP_GRACE_MS plus a sweep period of its deadline).
 */
export const RESERVATION_GRACE_MS = 30_000;

/** paddock-runtime commands that read a terminal: refused unless the run gets a stdin (the API's upgraded connection). */
const interactive = new Set(['shell', 'dbshell']);

/** True when the command would wait for typed input; `shell -c CODE` runs CODE and ends, so it is not. */
export function isInteractiveCommand(command: readonly string[]): boolean {
  const [name = '', ...args] = command;
  if (name === 'shell') return !args.some((a) => a === '-c' || a === '--command' || a.startsWith('--command=') || (a.startsWith('-c') && a.length > 2));
  return interactive.has(name);
}

export interface OneOffOptions {
  timeoutMs: number;
  /** Aborting kills the one-off (its container is removed). */
  signal?: AbortSignal;
  onLine?: (l: LogLine) => void;
  /** An interactive run's stdin and output (the API's upgraded connection); onLine is not called then. */
  stdio?: ExecStdio;
  /** Extra env vars for this run only; they win over the site's (the API refuses the platform's own names). */
  env?: Record<string, string>;
}

export interface OneOffOutcome {
  exitCode: number;
  timedOut: boolean;
  /** Killed because the caller went away or the site left `ready`. */
  aborted: boolean;
}

const COMMAND_NAME = /^[a-z][a-z0-9_-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Refuses a command that does not start with a command's name, and extra env vars the platform sets itself. */
export function checkRunRequest(command: readonly string[], env: Record<string, string>): void {
  if (!COMMAND_NAME.test(command[0] ?? '')) throw errors.validation('the command must start with a command name like "migrate" or "check"');
  for (const name of Object.keys(env)) {
    if (!ENV_NAME.test(name)) throw errors.validation(`"${name}" is not a variable name (letters, digits and _, not starting with a digit)`);
    if (RESERVED.has(name.toUpperCase()) || name.toUpperCase() === 'PADDOCK_SITE') throw errors.validation(`${name} is set by the platform and cannot be changed`);
  }
}

/** Checks a one-off can run (a release is live; the command is not interactive, unless it gets a stdin) before anything starts. */
export async function prepareOneOff(deps: DeployRuntime, site: Site, command: readonly string[], opts: { stdin?: boolean } = {}) {
  const name = command[0] ?? '';
  if (!opts.stdin && isInteractiveCommand(command)) throw errors.runInteractive(name);
  if (site.status !== 'ready') throw errors.siteState(site.name, site.status, 'run commands');
  const live = await currentRelease(deps, site.id);
  if (!live) throw errors.noRelease(site.name);
  return live;
}

// One sorted set per site: a member per reservation, scored by when it lapses. Dropping lapsed
// members, counting and adding happen in one script, so concurrent requests cannot all see room.
const RESERVE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
if n >= tonumber(ARGV[4]) then return -n end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[5]) then redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
return n + 1`;

export interface OneOffSlot {
  release(): Promise<void>;
}

export function reservationKey(siteId: string): string {
  return `paddock:oneoffs:${siteId}`;
}

/** Takes one of the site's MAX_RUNNING_ONE_OFFS slots for a run of at most timeoutMs, or refuses with PDK_RUN_BUSY. */
export async function reserveOneOff(redis: Redis, site: Pick<Site, 'id' | 'name'>, timeoutMs: number): Promise<OneOffSlot> {
  const key = reservationKey(site.id);
  const token = randomBytes(8).toString('hex');
  const ttl = timeoutMs + RESERVATION_GRACE_MS;
  const now = Date.now();
  const got = Number(await redis.eval(RESERVE, 1, key, String(now), String(now + ttl), token, String(MAX_RUNNING_ONE_OFFS), String(ttl)));
  if (got < 0) throw errors.runBusy(site.name, -got);
  return { release: async () => { await redis.zrem(key, token); } };
}

export async function runOneOff(
  deps: DeployRuntime, site: Site, live: NonNullable<Awaited<ReturnType<typeof prepareOneOff>>>, command: readonly string[], opts: OneOffOptions,
): Promise<OneOffOutcome> {
  const [name = '', ...args] = command;
  const own = new AbortController();
  const onAbort = () => own.abort();
  if (opts.signal?.aborted) own.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // A site leaving `ready` (suspended, deleted) ends it.
  const untrack = trackOneOff(site.id, own);
  try {
    const plan = await releaseProcesses(deps, site, live);
    // The site directory is an option, so the user's arguments keep their meaning (`sqlmigrate blog 0001`).
    const spec = replicaSpec({ ...plan, env: { ...plan.env, ...opts.env } }, 0, runtimeCommand(name, '--site-dir', '/app', ...args));
    // The driver ends it at its time limit or when aborted (docker: its container is removed).
    const r = await deps.driver.exec(spec, {
      timeoutMs: opts.timeoutMs,
      signal: own.signal,
      ...(opts.onLine ? { onLine: opts.onLine } : {}),
      ...(opts.stdio ? { stdio: opts.stdio } : {}),
    });
    return { exitCode: r.timedOut ? TIMED_OUT_EXIT_CODE : r.exitCode, timedOut: r.timedOut, aborted: r.aborted };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    untrack();
  }
}
