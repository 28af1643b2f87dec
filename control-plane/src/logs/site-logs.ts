// A site's logs as `paddock logs` and the dashboard read them: the platform's lines (builds,
// releases, edge access lines; kept in the log store) and its replicas' own output (from the
// driver), merged by time; then, when followed, new lines of both as they come.
import type { ReplicaState } from '../drivers/driver.js';
import type { DeployRuntime } from '../platform/deploy-runtime.js';
import type { Site } from '../store/schema.js';

export interface SiteLogLine {
  at: string;
  source: string;
  line: string;
  /** The replica that wrote an app line. */
  replica?: string;
}

type Deps = Pick<DeployRuntime, 'logs' | 'driver'>;

/**
 * The last `count` lines since `since` (ms), oldest first, and the replicas read (followSiteLogs
 * follows the same ones). A replica whose logs cannot be read is skipped (`unavailable` is told).
 */
export async function recentSiteLogs(
  deps: Deps, site: Pick<Site, 'id' | 'name'>, opts: { count: number; since: number; unavailable?: (replica: string, err: unknown) => void },
): Promise<{ lines: SiteLogLine[]; replicas: ReplicaState[] }> {
  const { count, since } = opts;
  const platformLines: SiteLogLine[] = (await deps.logs.recent(deps.logs.siteKey(site.id), count)).map((e) => ({ at: e.at, source: e.source, line: e.line }));
  const replicas = await deps.driver.list(site.name);
  const appLines: SiteLogLine[] = [];
  await Promise.all(replicas.map(async (r) => {
    try {
      for await (const l of deps.driver.logs(r.id, { tail: count })) appLines.push({ at: l.at.toISOString(), source: 'app', line: l.line, replica: r.name });
    } catch (err) {
      opts.unavailable?.(r.name, err);
    }
  }));
  const lines = [...platformLines, ...appLines].filter((l) => Date.parse(l.at) >= since).sort((a, b) => a.at.localeCompare(b.at)).slice(-count);
  return { lines, replicas };
}

/** New lines of the site and of these replicas, until the signal aborts (or every source ends). */
export async function followSiteLogs(
  deps: Deps, site: Pick<Site, 'id'>, replicas: ReplicaState[], signal: AbortSignal, onLine: (l: SiteLogLine) => void,
): Promise<void> {
  const pumps = [
    (async () => {
      for await (const e of deps.logs.follow(deps.logs.siteKey(site.id), { signal })) onLine({ at: e.at, source: e.source, line: e.line });
    })(),
    ...replicas.map(async (r) => {
      for await (const l of deps.driver.logs(r.id, { follow: true, tail: 0, signal })) onLine({ at: l.at.toISOString(), source: 'app', line: l.line, replica: r.name });
    }),
  ];
  await Promise.allSettled(pumps);
}
