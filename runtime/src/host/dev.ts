// `paddock-runtime serve --dev`: a supervisor that holds the site's databases for the whole session and runs the
// server in a child process, replaced whenever a source file changes.
//
// Holding the databases here is what makes the embedded database (`pglite:.paddock/db`) safe to use from other
// commands while dev runs: this process owns the folder and serves it (db/pglite-share.ts), so the servers it
// starts, `paddock migrate`, `shell` or `createsuperuser` all reach the same database instead of each opening a copy.
// It also tells how many migrations are unapplied, and applies them when asked.
import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { logger } from '../log.js';
import { IgnoreRules } from '../paddockignore.js';
import type { Site } from '../site/site.js';
import { closeDatabases, openDatabases } from './database.js';
import { loadSite } from './load.js';

export interface DevOptions {
  /** Apply unapplied migrations without asking. */
  migrate: boolean;
  /** The arguments of `serve` for the child (with --site-dir). */
  serveArgs: string[];
}

/** Lines for people, not log records: plain text on stdout whatever LOG_LEVEL is. */
function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Source files, whose change reloads the site wherever they are in it (anything does inside its apps, templates and static folders). */
const SOURCE = /\.(ts|mts|cts|tsx|js|mjs|cjs|json|html|htm|njk)$/i;

/**
 * Decides which changed paths (relative to the site, `/`-separated) reload the server: never what .paddockignore
 * leaves out (its defaults: .paddock/, node_modules/, *.log, .env, .git/), never STATIC_ROOT or a dotfile; then a
 * file in one of the site's own folders (apps, templates, static) or a source file anywhere.
 */
export function changeFilter(site: Pick<Site, 'dir' | 'apps' | 'settings'>): (path: string) => boolean {
  const rules = IgnoreRules.read(site.dir);
  const inside = (dir: string) => {
    const rel = relative(site.dir, dir).split(sep).join('/');
    return rel.startsWith('..') || rel === '' ? null : `${rel}/`;
  };
  const watched = [
    ...site.apps.map((a) => inside(a.dir)),
    ...site.settings.TEMPLATES.flatMap((t) => t.DIRS).map((d) => inside(resolve(site.dir, d))),
    ...site.settings.STATICFILES_DIRS.map((d) => inside(resolve(site.dir, d))),
  ].filter((d): d is string => d !== null);
  const staticRoot = inside(resolve(site.dir, site.settings.STATIC_ROOT));
  return (path) => {
    if (!path || rules.ignoresPath(path)) return false;
    if (path.split('/').some((part) => part.startsWith('.'))) return false;
    if (staticRoot && path.startsWith(staticRoot)) return false;
    return watched.some((d) => path.startsWith(d)) || SOURCE.test(path);
  };
}

/** Asks a yes/no question on the terminal; Enter means yes. */
function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  return new Promise((done) => {
    rl.question(question, (answer) => {
      rl.close();
      done(!/^n/i.test(answer.trim()));
    });
  });
}

/** The site, its databases open (and shared), or null when the site does not load yet (the child reports why). */
async function holdSite(dir: string): Promise<Site | null> {
  let site: Site;
  try {
    site = await loadSite(dir, { dev: true, checkOnly: true });
  } catch (err) {
    logger.debug({ err }, 'dev: the site did not load in the supervisor; the server will report why');
    return null;
  }
  await openDatabases(site.settings, site.dir, { share: true });
  const { databaseAliases, using } = await import('../db/index.js');
  // Claim the embedded databases now, not at the first request: other commands find this process from the start.
  for (const alias of databaseAliases()) {
    if (/^pglite:(?!(memory)?$)/.test(site.settings.DATABASES[alias]?.url ?? '')) await using(alias).rawQuery('select 1');
  }
  return site;
}

/** Says how many migrations are unapplied; applies them with --migrate, or when the person at the terminal agrees. */
async function offerMigrations(site: Site, opts: DevOptions): Promise<void> {
  if (!site.settings.DATABASES.default) return;
  const db = await import('../db/index.js');
  const apps = site.apps.map((a) => ({ label: a.label, dir: a.dir }));
  let pending: string[];
  try {
    pending = await db.pendingMigrations({ apps });
  } catch (err) {
    say(`paddock-runtime: could not read the migrations: ${(err as Error).message}`);
    return;
  }
  if (!pending.length) return;
  const what = `${pending.length} unapplied migration${pending.length === 1 ? '' : 's'} (${pending.slice(0, 4).join(', ')}${pending.length > 4 ? ', ...' : ''})`;
  const interactive = process.stdin.isTTY && process.stdout.isTTY;
  const apply = opts.migrate || (interactive && await confirm(`You have ${what}. Apply them now? [Y/n] `));
  if (!apply) {
    say(`paddock-runtime: You have ${what}: pages that use those tables fail until they are applied.`);
    say('  Apply them with `paddock migrate` (it works while dev runs), or start dev with --migrate.');
    return;
  }
  await db.migrate({ apps, log: (line) => say(`  ${line}`) });
}

/** Runs the dev server until SIGINT / SIGTERM; resolves with the exit code. */
export async function superviseDev(dir: string, opts: DevOptions): Promise<number> {
  let site = await holdSite(dir);
  if (site) await offerMigrations(site, opts);
  let child: ChildProcess | null = null;
  let timer: NodeJS.Timeout | null = null;
  let exiting = false;
  let watcher: FSWatcher | null = null;
  let follows = site ? changeFilter(site) : () => true;

  const start = () => {
    child = spawn(process.execPath, [...process.execArgv, process.argv[1] as string, 'serve', ...opts.serveArgs], {
      stdio: 'inherit', env: { ...process.env, PADDOCK_DEV_CHILD: '1' },
    });
  };
  const restart = async () => {
    const old = child;
    if (old && old.exitCode === null && old.signalCode === null) {
      await new Promise<void>((done) => { old.once('exit', () => done()); old.kill('SIGTERM'); });
    }
    if (exiting) return;
    if (!site) {
      // The site did not load at start: take the databases once it does (its server has just stopped).
      site = await holdSite(dir);
      if (site) {
        follows = changeFilter(site);
        await offerMigrations(site, opts);
      }
    }
    start();
  };
  watcher = watch(dir, { recursive: true }, (_event, file) => {
    const f = String(file ?? '').split(sep).join('/');
    if (!follows(f)) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      logger.info({ file: f }, 'change detected: reloading');
      void restart();
    }, 150);
  });
  start();
  return new Promise<number>((done) => {
    const stop = () => {
      if (exiting) return;
      exiting = true;
      watcher?.close();
      if (timer) clearTimeout(timer);
      const c = child as ChildProcess | null;
      const finish = (code: number) => { void closeDatabases().finally(() => done(code)); };
      if (!c || c.exitCode !== null || c.signalCode !== null) { finish(0); return; }
      c.once('exit', (code) => finish(code ?? 0));
      c.kill('SIGTERM');
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    // The terminal went away: stop as cleanly, so the database is closed and its lock released.
    process.on('SIGHUP', stop);
  });
}
