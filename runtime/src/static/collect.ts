// collectstatic: copies every app's static files into STATIC_ROOT under content-hashed names, with a manifest.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, lstatSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, extname, join, posix, relative, resolve } from 'node:path';
import { MANIFEST_NAME, type StaticManifest } from './files.js';

function walk(dir: string, out: string[] = []): string[] {
  let entries: string[];
  try { entries = readdirSync(dir); } catch { return out; }
  for (const e of entries) {
    if (e.startsWith('.')) continue;
    const full = join(dir, e);
    // lstat: symbolic links are skipped, so nothing outside the static folders is ever collected.
    const st = lstatSync(full);
    if (st.isDirectory()) walk(full, out); else if (st.isFile()) out.push(full);
  }
  return out;
}

export function hashedName(rel: string, content: Buffer): string {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 12);
  const ext = extname(rel);
  return `${rel.slice(0, rel.length - ext.length)}.${hash}${ext}`;
}

const CSS_URL = /url\(\s*(['"]?)([^'")]+)\1\s*\)/g;

/** Points relative url(...) references in CSS at the hashed names, so a changed image changes the CSS hash too. */
function rewriteCss(rel: string, css: string, paths: Record<string, string>): string {
  return css.replace(CSS_URL, (whole, quote: string, ref: string) => {
    if (/^(?:[a-z]+:|\/\/|#|\/)/i.test(ref)) return whole;
    const [pathPart, suffix = ''] = ref.split(/(?=[?#])/, 2);
    const target = posix.normalize(posix.join(posix.dirname(rel), pathPart ?? ''));
    const mapped = paths[target];
    if (!mapped) return whole;
    return `url(${quote}${posix.relative(posix.dirname(rel), mapped)}${suffix}${quote})`;
  });
}

export interface CollectResult { root: string; files: number; manifest: StaticManifest }

/** Collects from `sourceDirs` (first wins for a name) into `root`; writes both plain and hashed copies. */
export function collectStatic(sourceDirs: string[], root: string, onProgress?: (done: number, total: number) => void): CollectResult {
  const found = new Map<string, string>();
  for (const d of sourceDirs) {
    for (const f of walk(resolve(d))) {
      const rel = relative(resolve(d), f).split('\\').join('/');
      if (!found.has(rel)) found.set(rel, f);
    }
  }
  const paths: Record<string, string> = {};
  const ordered = [...found.keys()].sort((a, b) => Number(a.endsWith('.css')) - Number(b.endsWith('.css')));
  let done = 0;
  for (const rel of ordered) {
    const src = found.get(rel) as string;
    let content = readFileSync(src);
    if (rel.endsWith('.css')) content = Buffer.from(rewriteCss(rel, content.toString('utf8'), paths));
    const hashed = hashedName(rel, content);
    paths[rel] = hashed;
    for (const name of [rel, hashed]) {
      const dest = join(root, name);
      mkdirSync(dirname(dest), { recursive: true });
      if (rel.endsWith('.css')) writeFileSync(dest, content); else copyFileSync(src, dest);
    }
    onProgress?.(++done, ordered.length);
  }
  const manifest: StaticManifest = { version: 1, paths };
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, MANIFEST_NAME), JSON.stringify(manifest, null, 2));
  return { root, files: ordered.length, manifest };
}
