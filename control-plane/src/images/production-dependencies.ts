// Finds the installed packages a package needs at run time (dependencies and the optional ones
// that are present, transitively), as Node would resolve them, so an image can carry exactly
// those from this machine's node_modules without a registry.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export interface InstalledPackage {
  name: string;
  version: string;
  /** Real directory on this machine. */
  dir: string;
  /** Where it goes in the image (keeps the nesting, so every import resolves to the same version). */
  target: string;
}

interface Manifest {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Node's lookup: <dir>/node_modules/<name>, then each parent's. */
function locate(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** A host folder and where its contents sit in the image; the most specific first. */
export type Placement = Array<[hostDir: string, imageDir: string]>;

function place(dir: string, placement: Placement): string {
  for (const [host, image] of placement) {
    const rel = relative(host, dir);
    if (!rel.startsWith('..') && !rel.startsWith(sep)) return `${image}/${rel.split(sep).join('/')}`;
  }
  throw new Error(`${dir} lies outside the folders that go into the image; run \`npm install\` at the repository root.`);
}

/**
 * Every package `pkgDir` needs at run time, with its place in the image; `extra` names more
 * packages to take (with what they need) when they are installed, e.g. type declarations.
 */
export function productionDependencies(pkgDir: string, placement: Placement, extra: string[] = []): InstalledPackage[] {
  const found = new Map<string, InstalledPackage>();
  const visit = (fromDir: string, deps: Record<string, string>, optional: Set<string>): void => {
    for (const name of Object.keys(deps)) {
      const at = locate(name, fromDir);
      if (!at) {
        if (optional.has(name)) continue; // another platform's binary, say
        throw new Error(`${name} (needed by ${fromDir}) is not installed; run \`npm install\` at the repository root.`);
      }
      if (found.has(at)) continue;
      const manifest = readManifest(at);
      found.set(at, { name, version: manifest.version ?? '0.0.0', dir: realpathSync(at), target: place(at, placement) });
      const opt = new Set(Object.keys(manifest.optionalDependencies ?? {}));
      visit(at, { ...manifest.optionalDependencies, ...manifest.dependencies }, opt);
    }
  };
  const root = readManifest(pkgDir);
  const rootOptional = new Set([...Object.keys(root.optionalDependencies ?? {}), ...extra]);
  visit(pkgDir, { ...root.optionalDependencies, ...root.dependencies, ...Object.fromEntries(extra.map((n) => [n, '*'])) }, rootOptional);
  return [...found.values()].sort((a, b) => a.target.localeCompare(b.target));
}
