// Whether the CLI's and the runtime's dist/ are older than their sources: the tutorial then runs the sources, so a
// stale build cannot hide a change (npm test builds first, so the suite runs what users run).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function stale(workspace: string, builtFile: string): boolean {
  const built = join(workspace, 'dist', builtFile);
  if (!existsSync(built)) return true;
  return newestMtime(join(workspace, 'src')) > statSync(built).mtimeMs;
}

export function staleBuilds(repoRoot: string): { cli: boolean; runtime: boolean } {
  return { cli: stale(join(repoRoot, 'cli'), 'main.js'), runtime: stale(join(repoRoot, 'runtime'), 'host/index.js') };
}
