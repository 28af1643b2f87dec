// The local project: the site directory (the folder with site.ts), its link to a platform site
// (.paddock/site.json) and the site name a command acts on.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Context } from './command.js';
import { CliError, noLinkedSite } from './errors.js';
import { ExitCode } from './exit-codes.js';

export interface SiteLink {
  site: string;
  /** The API the site lives on; a link made against another API is ignored. */
  api?: string;
}

const linkFile = join('.paddock', 'site.json');

function walkUp(from: string, found: (dir: string) => boolean): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (found(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The nearest folder (from `from` upwards) holding site.ts or site.js. */
export function findSiteDir(from: string): string | undefined {
  return walkUp(from, (d) => existsSync(join(d, 'site.ts')) || existsSync(join(d, 'site.js')));
}

export function requireSiteDir(from: string): string {
  const dir = findSiteDir(from);
  if (!dir) {
    throw new CliError('CLI_NO_SITE_DIR', `No Paddock site in ${from} or above it (no site.ts).`, 'Run `paddock init <dir>` to start one, or cd into your site.', ExitCode.usage);
  }
  return dir;
}

export function readLink(from: string): { dir: string; link: SiteLink } | undefined {
  const dir = walkUp(from, (d) => existsSync(join(d, linkFile)));
  if (!dir) return undefined;
  try {
    const link = JSON.parse(readFileSync(join(dir, linkFile), 'utf8')) as SiteLink;
    return typeof link.site === 'string' ? { dir, link } : undefined;
  } catch {
    return undefined;
  }
}

/** The project's local state folder (.paddock/: the link, the local database), kept out of git. */
export function ensureStateDir(dir: string): string {
  const state = join(dir, '.paddock');
  mkdirSync(state, { recursive: true });
  const ignore = join(state, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '# Local state of the paddock CLI (link, dev database).\n*\n');
  return state;
}

/** Links a folder (the site directory when there is one, else `from`) to a site. */
export function writeLink(from: string, link: SiteLink): string {
  const dir = findSiteDir(from) ?? resolve(from);
  ensureStateDir(dir);
  writeFileSync(join(dir, linkFile), `${JSON.stringify(link, null, 2)}\n`);
  return join(dir, linkFile);
}

/** The site a command acts on: --site, else PADDOCK_SITE, else the directory's link. */
export function resolveSite(ctx: Context, flag: string | undefined): string {
  const name = flag ?? ctx.env.PADDOCK_SITE;
  if (name) return name;
  const found = readLink(ctx.cwd);
  if (found && (!found.link.api || found.link.api === ctx.apiBase)) return found.link.site;
  throw noLinkedSite();
}

export function sitePath(site: string, rest = ''): string {
  return `/v1/sites/${encodeURIComponent(site)}${rest}`;
}
