// The paddock-runtime command: serve a site, check it, collect its static files, and run the ORM's migration commands.
// `serve` is also how a stopped site wakes up, so what only other commands need is imported by those commands.
import { spawn, type ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import { statSync, watch } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PaddockError } from '../errors.js';
import { logger } from '../log.js';
import { closeDatabases, migrationCommands, openDatabases } from './database.js';
import { loadSite } from './load.js';
import { createServer } from './server.js';

const USAGE = `Usage: paddock-runtime <command> [site-dir] [options]

Commands:
  serve <site-dir> [--port N] [--host H] [--dev] [--workers N]
                                                   serve the site (--dev: DEBUG on, reload on change;
                                                   --workers or WEB_CONCURRENCY: processes sharing the port)
  check [site-dir] [--deploy]                      report configuration problems (--deploy: production readiness)
  collectstatic [site-dir]                         copy static files to STATIC_ROOT with hashed names
  makemigrations [site-dir] [--name N]             write migrations for model changes
  migrate [site-dir] [app] [target]                apply migrations
  showmigrations [site-dir]                        list migrations and whether they are applied
  sqlmigrate [site-dir] <app> <migration>          print a migration's SQL
  shell [site-dir] [-c CODE]                       a Node REPL with the site, its models and the runtime loaded
                                                   (top-level await; -c: run CODE, print its value, exit 1 on an error)
  createsuperuser, clearsessions, dumpdata, loaddata   the batteries' commands (see below)

Examples:
  paddock-runtime serve runtime/starters/blog --dev --port 8000
  paddock-runtime check . --deploy
  paddock-runtime shell . -c "await Post.objects.count()"`;

class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  try {
    switch (command) {
      case 'serve': return await serve(rest);
      case 'check': return await check(rest);
      case 'collectstatic': return await collect(rest);
      case 'makemigrations': case 'migrate': case 'showmigrations': case 'sqlmigrate':
        return await migrations(command, rest);
      case 'shell': return await runShell(rest);
      case 'createsuperuser': case 'clearsessions': case 'dumpdata': case 'loaddata':
        return await batteries(command, rest);
      default:
        throw new UsageError(`Unknown command '${command}'. Run \`paddock-runtime help\` for the list.`);
    }
  } catch (err) {
    if (String((err as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`paddock-runtime ${command}: ${(err as Error).message.split('. ')[0]}. Run \`paddock-runtime help\` for the options.\n`);
      return 2;
    }
    if (err instanceof UsageError || err instanceof PaddockError) {
      process.stderr.write(`paddock-runtime ${command}: ${err.message}\n`);
      return err instanceof UsageError ? 2 : 1;
    }
    throw err;
  }
}

async function serve(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { port: { type: 'string' }, host: { type: 'string' }, dev: { type: 'boolean', default: false }, workers: { type: 'string' } },
  });
  const dir = resolve(positionals[0] ?? '.');
  const port = values.port !== undefined ? Number(values.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port ${values.port} is not a port number.`);
  if (values.dev && process.env.PADDOCK_DEV_CHILD !== '1') return superviseDev(dir, args);
  const workers = Number(values.workers ?? process.env.WEB_CONCURRENCY ?? 1);
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers ${values.workers ?? process.env.WEB_CONCURRENCY} is not a positive whole number.`);
  if (workers > 1 && !values.dev && cluster.isPrimary) return superviseWorkers(workers);

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

/** Dev mode: a child process serves the site and is replaced whenever a file under the site changes. */
function superviseDev(dir: string, args: string[]): Promise<number> {
  let child: ChildProcess | null = null;
  let timer: NodeJS.Timeout | null = null;
  let exiting = false;
  const start = () => {
    child = spawn(process.execPath, [...process.execArgv, process.argv[1] as string, 'serve', ...args], {
      stdio: 'inherit', env: { ...process.env, PADDOCK_DEV_CHILD: '1' },
    });
  };
  const restart = () => {
    const old = child;
    if (!old || old.exitCode !== null) { start(); return; }
    old.once('exit', () => { if (!exiting) start(); });
    old.kill('SIGTERM');
  };
  const watcher = watch(dir, { recursive: true }, (_event, file) => {
    const f = String(file ?? '');
    if (f.includes('node_modules') || f.startsWith('.') || f.includes('/.') || f.startsWith('staticfiles')) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { logger.info({ file: f }, 'change detected: reloading'); restart(); }, 150);
  });
  start();
  return new Promise<number>((done) => {
    const stop = () => {
      exiting = true;
      watcher.close();
      const c = child as ChildProcess | null;
      if (!c || c.exitCode !== null) { done(0); return; }
      c.once('exit', (code) => done(code ?? 0));
      c.kill('SIGTERM');
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

async function check(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { deploy: { type: 'boolean', default: false }, 'fail-level': { type: 'string', default: 'error' } },
  });
  const { formatChecks, runChecks } = await import('../checks/checks.js');
  const site = await loadSite(resolve(positionals[0] ?? '.'), { checkOnly: true });
  const messages = runChecks(site, { deploy: values.deploy ?? false });
  process.stdout.write(`${formatChecks(messages)}\n`);
  const failOn = values['fail-level'] === 'warning' ? ['error', 'warning'] : ['error'];
  return messages.some((m) => failOn.includes(m.level)) ? 1 : 0;
}

async function collect(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const { collectStatic } = await import('../static/collect.js');
  const site = await loadSite(resolve(positionals[0] ?? '.'), { checkOnly: true });
  const { root, files } = collectStatic(site.staticFiles.sourceDirs, site.staticFiles.root, (done, total) => {
    if (process.stderr.isTTY) process.stderr.write(`\rcollecting static files ${done}/${total}`);
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  process.stdout.write(`${files} static file${files === 1 ? '' : 's'} copied to ${root}.\n`);
  return 0;
}

const MIGRATION_FUNCTIONS: Record<string, string> = {
  makemigrations: 'makeMigrations', migrate: 'migrate', showmigrations: 'showMigrations', sqlmigrate: 'sqlMigrate',
};

async function migrations(command: string, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true, options: { name: { type: 'string' }, database: { type: 'string' } },
  });
  const site = await loadSite(resolve(positionals[0] ?? '.'), { checkOnly: true });
  const db = await migrationCommands();
  const fn = db?.[MIGRATION_FUNCTIONS[command] as string];
  if (typeof fn !== 'function') {
    throw new UsageError(`${command} needs the ORM (runtime/src/db), which does not provide ${MIGRATION_FUNCTIONS[command]}() yet.`);
  }
  await openDatabases(site.settings, site.dir);
  try {
    const apps = site.apps.map((a) => ({ label: a.label, dir: a.dir }));
    const [app, second] = positionals.slice(1);
    const result: unknown = await (fn as (o: Record<string, unknown>) => unknown)({
      apps, name: values.name, database: values.database, app, target: second, migration: second,
      log: (line: string) => process.stdout.write(`${line}\n`),
    });
    // The ORM's commands report progress through `log`; only text results (showmigrations, sqlmigrate) are printed.
    if (typeof result === 'string') process.stdout.write(`${result}\n`);
  } finally {
    await closeDatabases();
  }
  return 0;
}

/** The batteries' commands (runtime/src/contrib/commands.ts) run against the site's models and databases. */
async function batteries(command: string, args: string[]): Promise<number> {
  // The first argument is the site dir when it names a folder (app labels and data files never do).
  const dirArg = args[0] !== undefined && !args[0].startsWith('-') && statSync(args[0], { throwIfNoEntry: false })?.isDirectory() ? args[0] : undefined;
  const site = await loadSite(resolve(dirArg ?? '.'), { checkOnly: true });
  await openDatabases(site.settings, site.dir);
  try {
    const { runBatteryCommand } = await import('../contrib/commands.js');
    return await runBatteryCommand(command, dirArg === undefined ? args : args.slice(1));
  } finally {
    await closeDatabases();
  }
}

/** A REPL (or `-c CODE`) with the site's databases open as `serve` opens them. */
async function runShell(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { command: { type: 'string', short: 'c' } } });
  const site = await loadSite(resolve(positionals[0] ?? '.'), { checkOnly: true });
  await openDatabases(site.settings, site.dir);
  try {
    const { shell } = await import('./shell.js');
    return await shell(site, { code: values.command });
  } finally {
    await closeDatabases();
  }
}
