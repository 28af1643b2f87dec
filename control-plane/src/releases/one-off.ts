// One-off commands of a site (`paddock run -- migrate`): a new container of the live release —
// its image, env and limits, exactly as the release phase runs migrations — that runs one
// paddock-runtime command in the site's directory and goes away. Bounded in time; a caller that
// stops waiting (a client that disconnects) kills it.
import { randomBytes } from 'node:crypto';
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
  // A release label of its own, so this one container can be found and killed from outside the driver.
  const release = `${plan.release}-run-${randomBytes(4).toString('hex')}`;
  // The site directory goes right after the command, as the release phase runs `migrate /app`.
  const spec = replicaSpec({ ...plan, release, env: { ...plan.env, ...opts.env } }, 0, runtimeCommand(name, '/app', ...args));
  let timedOut = false;
  let aborted = false;
  const kill = async () => {
    if (!deps.docker) return; // the process driver's own time limit ends its child
    const found = await deps.docker.listContainers({ all: true, filters: { label: [`paddock.role=oneoff`, `paddock.site=${site.name}`, `paddock.release=${release}`] } });
    await Promise.all(found.map((c) => deps.docker!.getContainer(c.Id).kill().catch(() => undefined)));
  };
  const started = Date.now();
  const timer = setTimeout(() => { timedOut = true; void kill().catch(() => undefined); }, opts.timeoutMs);
  let finished = false;
  // Killing a container the driver has created but not started yet does nothing: keep at it until the run ends.
  const onAbort = () => {
    aborted = true;
    void (async () => {
      while (!finished) {
        await kill().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // The driver's own limit is the backstop (the process driver has only that one).
    const r = await deps.driver.exec(spec, { timeoutMs: opts.timeoutMs + 5_000, ...(opts.onLine ? { onLine: opts.onLine } : {}) });
    timedOut ||= Date.now() - started >= opts.timeoutMs;
    return { exitCode: timedOut ? TIMED_OUT_EXIT_CODE : r.exitCode, timedOut, aborted };
  } finally {
    finished = true;
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
