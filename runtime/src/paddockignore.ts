// @paddock/runtime/paddockignore — .paddockignore: which files `paddock push` leaves out and `paddock dev`'s watcher
// does not follow, in .gitignore syntax (comments, `!` negation, trailing `/` for folders, a `/` inside anchoring to
// the site root, `*`, `**`, `?`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Always left out: never part of a site, often large or secret. `!` in .paddockignore can bring back a file. */
export const defaultIgnores = ['.git/', 'node_modules/', '.paddock/', '.env', '.env.*', '*.log', '.DS_Store', 'npm-debug.log*'];

interface Rule {
  negate: boolean;
  dirOnly: boolean;
  regex: RegExp;
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slashAfter = glob[i + 2] === '/';
        out += slashAfter ? '(?:.*/)?' : '.*';
        i += slashAfter ? 2 : 1;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '\\' && i + 1 < glob.length) out += escape(glob[++i]!);
    else out += escape(c);
  }
  return out;
}

function escape(c: string): string {
  return /[.+^${}()|[\]\\]/.test(c) ? `\\${c}` : c;
}

export function compileRule(line: string): Rule | undefined {
  let p = line.replace(/\s+$/, '');
  if (!p || p.startsWith('#')) return undefined;
  const negate = p.startsWith('!');
  if (negate) p = p.slice(1);
  const dirOnly = p.endsWith('/');
  if (dirOnly) p = p.replace(/\/+$/, '');
  const anchored = p.includes('/');
  p = p.replace(/^\/+/, '');
  if (!p) return undefined;
  const body = globToRegex(p);
  return { negate, dirOnly, regex: new RegExp(anchored ? `^${body}$` : `(?:^|/)${body}$`) };
}

export class IgnoreRules {
  private readonly rules: Rule[];

  constructor(lines: readonly string[]) {
    this.rules = lines.map(compileRule).filter((r): r is Rule => r !== undefined);
  }

  /** The defaults, then the lines of a .paddockignore file's text (undefined: none). */
  static forSite(paddockignore: string | undefined): IgnoreRules {
    return new IgnoreRules([...defaultIgnores, ...(paddockignore ?? '').split(/\r?\n/)]);
  }

  /** The rules of the site in `dir`: the defaults and its .paddockignore, when it has one. */
  static read(dir: string): IgnoreRules {
    const file = join(dir, '.paddockignore');
    return IgnoreRules.forSite(existsSync(file) ? readFileSync(file, 'utf8') : undefined);
  }

  /** Whether a path (relative, `/`-separated) is left out; the last matching rule decides. Its folders are not checked. */
  ignores(path: string, isDir: boolean): boolean {
    let ignored = false;
    for (const r of this.rules) {
      if (r.dirOnly && !isDir) continue;
      if (r.regex.test(path)) ignored = !r.negate;
    }
    return ignored;
  }

  /** Whether a file or any folder on its way is left out (a path relative to the site, `/`-separated). */
  ignoresPath(path: string): boolean {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      if (this.ignores(parts.slice(0, i).join('/'), i < parts.length)) return true;
    }
    return false;
  }
}
