// The paddock-runtime command: `serve` a site, `help`, and every other command a site has — the runtime's own
// (src/commands/runtime-commands.ts) and its apps' (AppConfig.commands or an app's commands/ folder; the batteries'
// come from their apps the same way) — run against the loaded site with its databases open.
// `serve` is also how a stopped site wakes up, so what only other commands need is imported by those commands.
import { spawn, type ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import { existsSync, statSync, watch } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CommandError, PaddockError, SiteNotFound } from '../errors.js';
import { logger } from '../log.js';
import { closeDatabases, openDatabases } from './database.js';
import { loadSite } from './load.js';
import { createServer } from './server.js';

const SERVE = {
  usage: '[--port N] [--host H] [--dev] [--workers N]',
  help: 'serve the site (--dev: DEBUG on, reload on change;\n--workers or WEB_CONCURRENCY: processes sharing the port)',
};

const EXAMPLES = `Examples:
  paddock-runtime serve runtime/starters/blog --dev --port 8000
  paddock-runtime check . --deploy
  paddock-runtime shell . -c "await Post.objects.count()"
  PADDOCK_SUPERUSER_PASSWORD=... paddock-runtime createsuperuser . --username admin`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${await usage(rest[0])}\n`);
    return command ? 0 : 2;
  }
  try {
    if (command === 'serve') return await serve(rest);
    return await runSiteCommand(command, rest);
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

/** The site folder a command runs in: its first argument when that names a folder, otherwise the current one. */
function splitSiteDir(args: string[]): { dir: string; rest: string[] } {
  const first = args[0];
  if (first !== undefined && !first.startsWith('-') && statSync(first, { throwIfNoEntry: false })?.isDirectory()) {
    return { dir: resolve(first), rest: args.slice(1) };
  }
  return { dir: resolve('.'), rest: args };
}

/** Any command but serve: load the site (as `check` does: no SECRET_KEY needed), find the command, run it. */
async function runSiteCommand(name: string, args: string[]): Promise<number> {
  const { dir, rest } = splitSiteDir(args);
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

/** `paddock-runtime help [site-dir]`: the runtime's commands, then the commands of each app of the site, by app. */
async function usage(siteArg: string | undefined): Promise<string> {
  const { runtimeCommandList, siteCommands } = await import('../commands/command.js');
  const dir = resolve(siteArg ?? '.');
  const groups = new Map<string, string[]>([['runtime', [helpLine('serve', SERVE.usage, SERVE.help)]]]);
  let note = '';
  let found: Awaited<ReturnType<typeof siteCommands>>;
  try {
    if (!['site.ts', 'site.js', 'site.mjs'].some((f) => existsSync(join(dir, f)))) throw new SiteNotFound(dir);
    found = await siteCommands(await loadSite(dir, { checkOnly: true }));
  } catch (err) {
    note = err instanceof SiteNotFound
      ? 'Run `paddock-runtime help` in a site\'s folder (or `paddock-runtime help <site-dir>`) to list its apps\' commands too.'
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
  return `Usage: paddock-runtime <command> [site-dir] [options]

site-dir is the folder holding site.ts (default: the current folder); it comes right after the command.
\`paddock-runtime <command> --help\` shows a command's options.

${body}
${note ? `\n${note}\n` : ''}
${EXAMPLES}`;
}

async function serve(args: string[]): Promise<number> {
  if (args.includes('--help')) {
    process.stdout.write(`Usage: paddock-runtime serve [site-dir] ${SERVE.usage}\n\n${SERVE.help.replace('\n', ' ')}\n`);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { port: { type: 'string' }, host: { type: 'string' }, dev: { type: 'boolean', default: false }, workers: { type: 'string' } },
  });
  const dir = resolve(positionals[0] ?? '.');
  const port = values.port !== undefined ? Number(values.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new CommandError(`--port ${values.port} is not a port number.`, { usage: true });
  if (values.dev && process.env.PADDOCK_DEV_CHILD !== '1') return superviseDev(dir, args);
  const workers = Number(values.workers ?? process.env.WEB_CONCURRENCY ?? 1);
  if (!Number.isInteger(workers) || workers < 1) throw new CommandError(`--workers ${values.workers ?? process.env.WEB_CONCURRENCY} is not a positive whole number.`, { usage: true });
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
