// One-off commands of a site (`paddock run -- migrate`): a new container of the live release —
// its image, env and limits, exactly as the release phase runs migrations — that runs one
// paddock-runtime command in the site's directory and goes away. Bounded in time; a caller that
// stops waiting (a client that disconnects) kills it.
import type { LogLine } from '../drivers/driver.js';
import { errors } from '../errors.js';
import { runtimeCommand } from '../images/runtime-image.js';
import type { Site } from '../store/schema.js';
import { currentRelease, releaseProcesses, type DeployDeps } from './deploys.js';
import { replicaSpec } from './releaser.js';

/** The exit code of a one-off killed at its time limit (as coreutils' timeout answers). */
export const TIMED_OUT_EXIT_CODE = 124;

/** One-offs a site may run at once (each holds a replica's memory); a soft limit, counted on the engine. */
export const MAX_RUNNING_ONE_OFFS = 3;

/** paddock-runtime commands that read a terminal: nothing can type into a one-off run over the API. */
const interactive = new Set(['shell', 'dbshell']);

export interface OneOffOptions {
  timeoutMs: number;
  /** Aborting kills the one-off (its container is removed). */
  signal?: AbortSignal;
  onLine?: (l: LogLine) => void;
  /** Extra env vars for this run only; they win over the site's (the API refuses the platform's own names). */
  env?: Record<string, string>;
}

export interface OneOffOutcome {
  exitCode: number;
  timedOut: boolean;
  /** Killed because the caller went away. */
  aborted: boolean;
}

/** Checks a one-off can run (a release is live, the command is not interactive) before anything starts. */
export async function prepareOneOff(deps: DeployDeps, site: Site, command: readonly string[]) {
  const name = command[0] ?? '';
  if (interactive.has(name)) throw errors.runInteractive(name);
  if (site.status !== 'ready') throw errors.siteState(site.name, site.status, 'run commands');
  const live = await currentRelease(deps, site.id);
  if (!live) throw errors.noRelease(site.name);
  if (deps.docker) {
    const running = await deps.docker.listContainers({ all: true, filters: { label: ['paddock.role=oneoff', `paddock.site=${site.name}`] } });
    if (running.length >= MAX_RUNNING_ONE_OFFS) throw errors.runBusy(site.name, running.length);
  }
  return live;
}

export async function runOneOff(
  deps: DeployDeps, site: Site, live: NonNullable<Awaited<ReturnType<typeof prepareOneOff>>>, command: readonly string[], opts: OneOffOptions,
): Promise<OneOffOutcome> {
  const [name = '', ...args] = command;
  const plan = await releaseProcesses(deps, site, live);
  // The site directory goes right after the command, as the release phase runs `migrate /app`.
  const spec = replicaSpec({ ...plan, env: { ...plan.env, ...opts.env } }, 0, runtimeCommand(name, '/app', ...args));
  // The driver ends it at its time limit or when the caller aborts (docker: its container is removed).
  const r = await deps.driver.exec(spec, {
    timeoutMs: opts.timeoutMs,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onLine ? { onLine: opts.onLine } : {}),
  });
  return { exitCode: r.timedOut ? TIMED_OUT_EXIT_CODE : r.exitCode, timedOut: r.timedOut, aborted: r.aborted };
}
