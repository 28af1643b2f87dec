// Static files: found in apps' static/ folders (dev) or in STATIC_ROOT with content-hashed names (production).
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';

export const MANIFEST_NAME = 'staticfiles.json';

export interface StaticManifest { version: 1; paths: Record<string, string> }

/** Normalises a URL path below STATIC_URL; null for anything that could escape the root ('..', absolute, NUL). */
export function safeRelative(p: string): string | null {
  if (p.includes('\0') || p.includes('\\')) return null;
  const n = normalize(p).replace(/^\/+/, '');
  if (n === '' || n === '.' || n.startsWith('..') || n.split('/').includes('..')) return null;
  return n;
}

function within(root: string, rel: string): string | null {
  const full = resolve(root, rel);
  return full.startsWith(root.endsWith(sep) ? root : root + sep) ? full : null;
}

export class StaticFiles {
  private manifest: StaticManifest | null = null;
  private readonly hashed = new Set<string>();

  /**
   * @param sourceDirs STATICFILES_DIRS then each app's static/, searched in order (first wins, as in Django).
   * @param root STATIC_ROOT, where collectstatic wrote.
   * @param dev serve from sourceDirs with plain names instead of from root with hashed names.
   */
  constructor(readonly staticUrl: string, readonly sourceDirs: string[], readonly root: string, readonly dev: boolean) {
    if (!dev) this.loadManifest();
  }

  loadManifest(): void {
    const file = join(this.root, MANIFEST_NAME);
    if (!existsSync(file)) return;
    this.manifest = JSON.parse(readFileSync(file, 'utf8')) as StaticManifest;
    this.hashed.clear();
    for (const v of Object.values(this.manifest.paths)) this.hashed.add(v);
  }

  /** The public URL of a static file: hashed when collected for production. */
  url(path: string): string {
    const rel = path.replace(/^\/+/, '');
    const mapped = this.manifest?.paths[rel];
    return this.staticUrl + (mapped ?? rel);
  }

  /** The file for a request path below STATIC_URL, and whether its name is content-hashed (cacheable forever). */
  lookup(urlPath: string): { file: string; immutable: boolean } | null {
    const rel = safeRelative(urlPath);
    if (!rel) return null;
    // Without a collectstatic run, production still serves the apps' files (plain names, short caching).
    const dirs = this.dev ? this.sourceDirs : this.manifest ? [this.root] : [this.root, ...this.sourceDirs];
    for (const d of dirs) {
      const full = within(resolve(d), rel);
      // Resolve links too: a symlink inside a static folder must not serve a file from outside it.
      if (full && isFile(full) && within(realpath(d), relativeReal(d, full)) !== null) {
        return { file: full, immutable: !this.dev && this.hashed.has(rel) };
      }
    }
    return null;
  }
}

function realpath(p: string): string {
  try { return realpathSync(p); } catch { return resolve(p); }
}

/** The real path of `full` expressed relative to the real path of `dir` ('../..' when it escapes). */
function relativeReal(dir: string, full: string): string {
  const rd = realpath(dir);
  const rf = realpath(full);
  return rf.startsWith(rd + sep) ? rf.slice(rd.length + 1) : '../outside';
}

function isFile(p: string): boolean {
  try { return statSync(p).isFile(); } catch { return false; }
}
