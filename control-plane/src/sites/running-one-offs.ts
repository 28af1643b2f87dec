// The one-off commands this process runs for each site (runs/one-off.ts tracks them here): a site
// leaving `ready` (suspended, deleted) ends them, their containers removed by the driver.
const running = new Map<string, Set<AbortController>>();

/** Tracks a run until the returned function is called. */
export function trackOneOff(siteId: string, run: AbortController): () => void {
  const runs = running.get(siteId) ?? new Set();
  running.set(siteId, runs.add(run));
  return () => {
    runs.delete(run);
    if (runs.size === 0 && running.get(siteId) === runs) running.delete(siteId);
  };
}

/** Ends the one-offs this process runs for the site; says how many. */
export function abortOneOffs(siteId: string): number {
  const runs = running.get(siteId);
  if (!runs) return 0;
  for (const c of runs) c.abort();
  return runs.size;
}
