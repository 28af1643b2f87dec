// The paddock-runtime command: `serve` a site, `help`, and every other command a site has — the runtime's own
// (src/commands/runtime-commands.ts) and its apps' (AppConfig.commands or an app's commands/ folder; the batteries'
// come from their apps the same way) — run against the loaded site with its databases open.
// `serve` is also how a stopped site wakes up, so what only other commands need is imported by those commands.
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CommandError, PaddockError, SiteNotFound } from '../errors.js';
import { logger } from '../log.js';
import { defaultWorkers, usableCpus } from './cpus.js';
import { closeDatabases, openDatabases } from './database.js';
import { loadSite } from './load.js';
import { createServer } from './server.js';

const SERVE = {
  usage: '[--port N] [--host H] [--dev [--migrate]] [--workers N|auto]',
  help: 'serve the site (--dev: DEBUG on, reload on change, offer\nunapplied migrations (--migrate: apply them); --workers\nor WEB_CONCURRENCY: processes sharing the port, never more\nthan the CPUs the process may use; auto: one per CPU; by\ndefault as many as the container CPU quota grants, else 1)',
};

const EXAMPLES = `Examples:
  paddock-runtime serve --dev --port 8000
  paddock-runtime sqlmigrate blog 0001
  paddock-runtime check --deploy --site-dir runtime/starters/blog
  paddock-runtime shell -c "await Post.objects.count()"
  PADDOCK_SUPERUSER_PASSWORD=... paddock-runtime createsuperuser --username admin`;

const SITE_FILES = ['site.ts', 'site.js', 'site.mjs'];

function isSiteDir(dir: string): boolean {
  return SITE_FILES.some((f) => existsSync(join(dir, f)));
}

/**
 * The folder a command works on: `--site-dir`, otherwise the nearest folder holding site.ts from `cwd` upwards
 * (so a command works from any subfolder of the site, as git does), otherwise `cwd` itself.
 */
export function findSiteDir(cwd: string, option?: string): string {
  if (option !== undefined) return resolve(cwd, option);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (isSiteDir(dir)) return dir;
    if (dirname(dir) === dir) return resolve(cwd);
  }
}

/** Takes `--site-dir DIR` (or `--site-dir=DIR`) out of a command's arguments, wherever it stands. */
export function takeSiteDir(args: readonly string[]): { siteDir: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let siteDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') { rest.push(...args.slice(i)); break; }
    if (a === '--site-dir') {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('-')) throw new CommandError('--site-dir needs a folder: --site-dir path/to/site.', { usage: true });
      siteDir = value;
      i++;
    } else if (a.startsWith('--site-dir=')) siteDir = a.slice('--site-dir='.length);
    else rest.push(a);
  }
  return { siteDir, rest };
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    const { siteDir, rest } = takeSiteDir(args);
    const dir = findSiteDir(process.cwd(), siteDir);
    if (!command || command === 'help' || command === '--help' || command === '-h') {
      process.stdout.write(`${await usage(dir, rest[0])}\n`);
      return command ? 0 : 2;
    }
    if (command === 'serve') return await serve(dir, rest);
    return await runSiteCommand(command, dir, rest);
  } catch (err) {
    if (String((err as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`paddock-runtime ${command}: ${(err as Error).message.split('. ')[0]}. Run \`paddock-runtime ${command} --help\` for the options.\n`);
      return 2;
    }
    if (err instanceof PaddockError) {
      process.stderr.write(`paddock-runtime ${command}: ${err.message}\n`);
      return err instanceof CommandError ? err.exitCode : 1;
    }
    throw err;
  }
}

/** Any command but serve: load the site (as `check` does: no SECRET_KEY needed), find the command, run it. */
async function runSiteCommand(name: string, dir: string, rest: string[]): Promise<number> {
  const { commandHelp, runCommand, runtimeCommandList, siteCommands } = await import('../commands/command.js');
  const own = (await runtimeCommandList()).find((c) => c.name === name);
  if (own && rest.includes('--help')) {
    process.stdout.write(`${commandHelp(name, await own.load())}\n`);
    return 0;
  }
  let site;
  try {
    site = await loadSite(dir, { checkOnly: true });
  } catch (err) {
    const folder = rest.find((a) => !a.startsWith('-'));
    if (err instanceof SiteNotFound && folder !== undefined && isSiteDir(resolve(folder))) {
      // The old form, `paddock-runtime migrate mysite`: the site folder is an option now.
      throw new CommandError(`No site.ts in ${dir}. To run ${name} on the site in ${folder}, use --site-dir ${folder} (or run it from that folder).`, { usage: true });
    }
    if (err instanceof SiteNotFound && !own) {
      throw new CommandError(`Unknown command '${name}'. Run \`paddock-runtime help\` for the list (in a site's folder, it lists its apps' commands too).`, { usage: true });
    }
    throw err;
  }
  const found = (await siteCommands(site)).find((c) => c.name === name);
  if (!found) throw new CommandError(`Unknown command '${name}'. Run \`paddock-runtime help\` for the list.`, { usage: true });
  const command = await found.load();
  if (rest.includes('--help')) {
    process.stdout.write(`${commandHelp(name, command)}\n`);
    return 0;
  }
  const database = command.database !== false;
  if (database) await openDatabases(site.settings, site.dir);
  try {
    return await runCommand(site, name, command, rest);
  } finally {
    if (database) await closeDatabases();
  }
}

/** One line of `help`: the command and its arguments, then its help aligned in a column. */
function helpLine(name: string, usage: string | undefined, help: string): string {
  const left = `  ${name}${usage ? ` ${usage}` : ''}`;
  const [first = '', ...more] = help.split('\n');
  const pad = ' '.repeat(51);
  return [left.length < 50 ? `${left.padEnd(51)}${first}` : `${left}\n${pad}${first}`, ...more.map((l) => pad + l)].join('\n');
}

/** `paddock-runtime help`: the runtime's commands, then the commands of each app of the site, by app. */
async function usage(siteDir: string, command: string | undefined): Promise<string> {
  const { commandHelp, runtimeCommandList, siteCommands } = await import('../commands/command.js');
  if (command) {
    // `help migrate` is `migrate --help`.
    const own = (await runtimeCommandList()).find((c) => c.name === command);
    if (own) return commandHelp(command, await own.load());
  }
  const dir = siteDir;
  const groups = new Map<string, string[]>([['runtime', [helpLine('serve', SERVE.usage, SERVE.help)]]]);
  let note = '';
  let found: Awaited<ReturnType<typeof siteCommands>>;
  try {
    if (!isSiteDir(dir)) throw new SiteNotFound(dir);
    found = await siteCommands(await loadSite(dir, { checkOnly: true }));
  } catch (err) {
    note = err instanceof SiteNotFound
      ? 'Run `paddock-runtime help` in a site\'s folder (or with `--site-dir <folder>`) to list its apps\' commands too.'
      : `The site in ${dir} did not load, so its apps' commands are not listed: ${(err as Error).message}`;
    found = await runtimeCommandList();
  }
  for (const c of found) {
    const lines = groups.get(c.app) ?? [];
    try {
      const command = await c.load();
      lines.push(helpLine(c.name, command.usage, command.help));
    } catch (err) {
      // One broken command must not hide the others: its line says what is wrong with it.
      lines.push(helpLine(c.name, undefined, `(cannot be loaded: ${(err as Error).message})`));
    }
    groups.set(c.app, lines);
  }
  const body = [...groups].map(([app, lines]) => `[${app}]\n${lines.join('\n')}`).join('\n\n');
  return `Usage: paddock-runtime <command> [arguments] [options] [--site-dir <folder>]

The site is the folder holding site.ts: --site-dir, otherwise the nearest one from the current folder upwards.
\`paddock-runtime <command> --help\` shows a command's options.

${body}
${note ? `\n${note}\n` : ''}
${EXAMPLES}`;
}

async function serve(dir: string, args: string[]): Promise<number> {
  if (args.includes('--help')) {
    process.stdout.write(`Usage: paddock-runtime serve ${SERVE.usage} [--site-dir <folder>]\n\n${SERVE.help.replaceAll('\n', ' ')}\n`);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      port: { type: 'string' }, host: { type: 'string' }, dev: { type: 'boolean', default: false }, workers: { type: 'string' },
      migrate: { type: 'boolean', default: false },
    },
  });
  if (positionals.length) {
    const { extraArgument } = await import('../commands/command.js');
    throw new CommandError(extraArgument('serve', 0, positionals), { usage: true });
  }
  const port = values.port !== undefined ? Number(values.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new CommandError(`--port ${values.port} is not a port number.`, { usage: true });
  if (values.dev && process.env.PADDOCK_DEV_CHILD !== '1') {
    const { superviseDev } = await import('./dev.js');
    return superviseDev(dir, { migrate: values.migrate ?? false, serveArgs: ['--site-dir', dir, ...args] });
  }
  const workers = values.dev || !cluster.isPrimary ? 1 : workerCount(values.workers ?? process.env.WEB_CONCURRENCY);
  if (workers > 1) return superviseWorkers(workers);

  const site = await loadSite(dir, { dev: values.dev ?? false });
  await openDatabases(site.settings, site.dir);
  const server = createServer(site);
  const bound = await server.listen(port ?? site.settings.PORT, values.host ?? '0.0.0.0');
  logger.info({ port: bound, dir, debug: site.settings.DEBUG }, 'listening');
  // A fixed plain line whatever LOG_LEVEL is: supervisors and tests wait for it.
  if (logger.levelVal > 30) process.stdout.write(`paddock-runtime: listening on port ${bound}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    setTimeout(() => {
      logger.warn('in-flight requests did not finish within SHUTDOWN_TIMEOUT; exiting anyway');
      process.exit(1);
    }, site.settings.SHUTDOWN_TIMEOUT * 1000).unref();
    await server.close();
    await closeDatabases();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  return new Promise<number>(() => { /* runs until a signal stops the process */ });
}

/**
 * How many processes serve: `auto` is one per CPU this process may use (host/cpus.ts: affinity and the container's
 * CPU quota); a number asks for that many but never more than those CPUs, since extra processes only queue for the
 * same CPU time and make every request slower. Without either: as many as a CPU quota grants, else 1.
 */
function workerCount(asked: string | undefined): number {
  if (asked === undefined || asked === '') return defaultWorkers();
  const cpus = usableCpus();
  if (asked === 'auto') return cpus;
  const n = Number(asked);
  if (!/^\d+$/.test(asked) || n < 1) throw new CommandError(`--workers ${asked} is not a positive whole number or "auto".`, { usage: true });
  if (n > cpus) {
    logger.warn({ asked: n, cpus }, `--workers ${n} is more than the ${cpus} CPU(s) this process may use; starting ${cpus}`);
    return cpus;
  }
  return n;
}

/**
 * Several processes serving one port (node:cluster), like gunicorn's workers: a site container with more than
 * one CPU uses them all. A worker that crashes is replaced; one that never managed to listen stops the whole server.
 */
function superviseWorkers(n: number): Promise<number> {
  let stopping = false;
  let alive = 0;
  const listened = new Set<number>();
  const fork = () => { alive++; cluster.fork(); };
  const stopAll = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) if (w && !w.isDead()) w.process.kill('SIGTERM');
  };
  cluster.on('listening', (w) => listened.add(w.id));
  for (let i = 0; i < n; i++) fork();
  return new Promise<number>((done) => {
    let code = 0;
    cluster.on('exit', (w, exitCode) => {
      alive--;
      if (exitCode) code = exitCode;
      if (!stopping && listened.has(w.id)) {
        logger.warn({ worker: w.id, exitCode }, 'worker died; starting another');
        fork();
        return;
      }
      if (!stopping) stopAll();
      if (alive === 0) done(code);
    });
    process.on('SIGTERM', () => { if (!stopping) stopAll(); });
    process.on('SIGINT', () => { if (!stopping) stopAll(); });
  });
}
