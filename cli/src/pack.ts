// Packs a site directory into a gzipped tarball for upload, leaving out what .paddockignore says.
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import * as tar from 'tar';
import { IgnoreRules } from '@paddock/runtime/paddockignore';

export interface Packed {
  file: string;
  size: number;
  files: number;
  sha256: string;
  /** Removes the temporary tarball. */
  cleanup(): void;
  /** Symlinks left out because they point outside the site. */
  skipped: string[];
}

/** The files to pack, relative to `dir`, `/`-separated, sorted (so equal trees give equal tarballs). */
export function listSiteFiles(dir: string): { files: string[]; skipped: string[] } {
  const root = resolve(dir);
  const rules = IgnoreRules.read(root);
  const files: string[] = [];
  const skipped: string[] = [];
  const walk = (abs: string) => {
    for (const name of readdirSync(abs).sort()) {
      const full = join(abs, name);
      const rel = relative(root, full).split(sep).join('/');
      const st = lstatSync(full);
      if (st.isSymbolicLink()) {
        // The platform refuses links that leave the site; say so here rather than fail the build.
        const target = resolve(abs, readlinkSync(full));
        if (target !== root && !target.startsWith(root + sep)) {
          skipped.push(rel);
          continue;
        }
        if (rules.ignores(rel, statSync(full, { throwIfNoEntry: false })?.isDirectory() ?? false)) continue;
        files.push(rel);
      } else if (st.isDirectory()) {
        if (!rules.ignores(rel, true)) walk(full);
      } else if (st.isFile()) {
        if (!rules.ignores(rel, false)) files.push(rel);
      }
    }
  };
  walk(root);
  return { files, skipped };
}

export async function packSite(dir: string): Promise<Packed> {
  const { files, skipped } = listSiteFiles(dir);
  const tmp = mkdtempSync(join(tmpdir(), 'paddock-push-'));
  const file = join(tmp, 'site.tar.gz');
  await tar.create({ gzip: { level: 6 }, cwd: resolve(dir), file, portable: true, noDirRecurse: true, mtime: new Date(0) }, files);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return {
    file,
    size: statSync(file).size,
    files: files.length,
    sha256: hash.digest('hex'),
    skipped,
    cleanup: () => rmSync(tmp, { recursive: true, force: true }),
  };
}
