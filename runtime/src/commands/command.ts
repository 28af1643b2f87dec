// Management commands (`paddock-runtime <name>`, Django's manage.py commands): what a command is, where a site's
// commands come from (the runtime's own, then each app's: its AppConfig's `commands`, or the modules in its commands/
// folder), and callCommand() to run one in-process against a booted site.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CommandError, ImproperlyConfigured } from '../errors.js';
import type { AppConfig } from '../site/define.js';
import type { Site } from '../site/site.js';

/** An option of a command: `--name value` (string) or `--flag` (boolean). */
export interface CommandOption {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  readonly default?: string | boolean;
  /** Shown by `paddock-runtime <name> --help`; a string option's value is named by `placeholder`. */
  readonly description?: string;
  readonly placeholder?: string;
}

type OptionValue<O extends CommandOption> = O['type'] extends 'boolean' ? boolean : O['multiple'] extends true ? string[] : string;
export type CommandValues<O extends Readonly<Record<string, CommandOption>>> = { [K in keyof O]?: OptionValue<O[K]> };

export interface CommandContext<O extends Readonly<Record<string, CommandOption>> = Readonly<Record<string, CommandOption>>> {
  /** The booted site: its settings, apps and models (loaded as `check` loads it: no SECRET_KEY needed). */
  readonly site: Site;
  readonly values: CommandValues<O>;
  /** The arguments that are not options. */
  readonly positionals: string[];
  /** Prints a line of the command's output. */
  out(line: string): void;
  /**
   * The first line of stdin, for secrets that never go on the command line. A terminal is refused with `hint`
   * (say which env var to set instead), since the line would be echoed.
   */
  readLine(hint: string): Promise<string>;
}

export interface Command<O extends Readonly<Record<string, CommandOption>> = Readonly<Record<string, CommandOption>>> {
  /** One line for `paddock-runtime help` (more lines are shown by `<name> --help`). */
  readonly help: string;
  /** The arguments after the name, e.g. '--username U [--email E]'. */
  readonly usage?: string;
  readonly options?: O;
  /** How many positional arguments it takes (default none). */
  readonly maxPositionals?: number;
  /** Whether paddock-runtime opens the site's databases around it (default true). */
  readonly database?: boolean;
  /** Returns the exit code (0 when nothing is returned); throws CommandError for what the user can fix. */
  run(ctx: CommandContext<O>): Promise<number | void> | number | void;
}

/** Declares a command: `export default defineCommand({ help: '...', options: { ... }, async run({ site, values, out }) { ... } })`. */
export function defineCommand<const O extends Readonly<Record<string, CommandOption>> = Readonly<Record<string, never>>>(command: Command<O>): Command<O> {
  return command;
}

/** A command, or a function loading the module that default-exports it (so a site's boot does not load its commands). */
export type CommandEntry = Command | (() => Promise<Command | { default: Command }>);

/** A command found for a site: its name, the app it comes from ('runtime' for the runtime's own) and how to load it. */
export interface FoundCommand {
  readonly name: string;
  readonly app: string;
  load(): Promise<Command>;
}

async function loadEntry(entry: CommandEntry, where: string): Promise<Command> {
  const value = typeof entry === 'function' ? await entry() : entry;
  const command = 'default' in value && typeof value.default === 'object' ? value.default : value;
  if (typeof (command as Partial<Command>).run !== 'function' || typeof (command as Partial<Command>).help !== 'string') {
    throw new ImproperlyConfigured(`${where} must \`export default defineCommand({ help, run })\`.`);
  }
  return command as Command;
}

/** Module files of an app's commands/ folder by command name (a module per command, named as the command). */
function commandFiles(app: AppConfig): Map<string, string> {
  const dir = join(app.dir, 'commands');
  const files = new Map<string, string>();
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir).sort()) {
    const m = /^([a-z][a-z0-9_-]*)\.(ts|js|mjs)$/.exec(name);
    if (!m || name.endsWith('.d.ts') || files.has(m[1] as string)) continue;
    files.set(m[1] as string, join(dir, name));
  }
  return files;
}

/** An app's commands: its AppConfig's `commands`, or when it declares none, the modules in its commands/ folder. */
export function appCommands(app: AppConfig): FoundCommand[] {
  if (app.commands) {
    return Object.entries(app.commands).map(([name, entry]) => ({
      name, app: app.label, load: () => loadEntry(entry, `The '${app.label}' app's command '${name}'`),
    }));
  }
  return [...commandFiles(app)].map(([name, file]) => ({
    name, app: app.label,
    load: async () => {
      if (file.endsWith('.ts')) await (await import('../host/load.js')).ensureTypeScript();
      return loadEntry(() => import(pathToFileURL(file).href) as Promise<{ default: Command }>, file);
    },
  }));
}

/** The runtime's own commands (serve and help aside): check, migrate, shell, dumpdata, ... */
export async function runtimeCommandList(): Promise<FoundCommand[]> {
  const { runtimeCommands } = await import('./runtime-commands.js');
  return Object.entries(runtimeCommands).map(([name, entry]) => ({
    name, app: 'runtime', load: () => loadEntry(entry, `The runtime's command '${name}'`),
  }));
}

/**
 * Every command a site has, the runtime's own first, then each app's in the order the site lists its apps
 * (an earlier app wins a name two apps both use). An app may not take a name of the runtime's own.
 */
export async function siteCommands(site: Site): Promise<FoundCommand[]> {
  const found = await runtimeCommandList();
  const taken = new Map(found.map((c) => [c.name, c.app]));
  for (const app of site.apps) {
    for (const c of appCommands(app)) {
      const owner = taken.get(c.name);
      if (owner === 'runtime' || c.name === 'serve' || c.name === 'help') {
        throw new ImproperlyConfigured(`The '${app.label}' app defines a command '${c.name}', which is one of paddock-runtime's own. Rename it.`);
      }
      if (owner) continue;
      taken.set(c.name, app.label);
      found.push(c);
    }
  }
  return found;
}

/** Reads the first line of stdin (refusing a terminal, whose line would be echoed). */
async function readStdinLine(hint: string): Promise<string> {
  if (process.stdin.isTTY) throw new CommandError(hint);
  let data = '';
  for await (const chunk of process.stdin) {
    data += String(chunk);
    if (data.includes('\n')) break;
  }
  return data.split('\n')[0] ?? '';
}

export interface CallOptions {
  /** Where output lines go (default: stdout). */
  out?: (line: string) => void;
}

/**
 * Runs a command of the site in this process with `args` as on the command line after its name
 * (Django's call_command). The caller opens the databases (paddock-runtime does it for commands that need them).
 */
export async function callCommand(site: Site, name: string, args: readonly string[] = [], options: CallOptions = {}): Promise<number> {
  const found = (await siteCommands(site)).find((c) => c.name === name);
  if (!found) throw new CommandError(`Unknown command '${name}'. Run \`paddock-runtime help\` for the list.`, { usage: true });
  return runCommand(site, name, await found.load(), args, options);
}

/** What to say when a command gets too many arguments (the first is often a site folder, which is `--site-dir` now). */
export function extraArgument(name: string, max: number, positionals: readonly string[]): string {
  const takes = max === 0 ? 'no arguments' : `at most ${max} argument${max === 1 ? '' : 's'}`;
  const first = positionals[0] as string;
  const folder = statSync(first, { throwIfNoEntry: false })?.isDirectory()
    ? ` To run it on the site in ${first}, use --site-dir ${first} (or run it from that folder).` : '';
  return `${name} takes ${takes}, but was given '${positionals[max]}'.${folder} Run \`paddock-runtime ${name} --help\`.`;
}

/** Runs a loaded command: parses its arguments against its options, then calls it. */
export async function runCommand(site: Site, name: string, command: Command, args: readonly string[], options: CallOptions = {}): Promise<number> {
  const parsed = parseArgs({
    args: [...args], allowPositionals: true, strict: true,
    options: Object.fromEntries(Object.entries(command.options ?? {}).map(([k, o]) => [k, {
      type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}),
      ...(o.default !== undefined ? { default: o.default } : {}),
    }])) as ParseArgsConfig['options'],
  });
  const max = command.maxPositionals ?? 0;
  if (parsed.positionals.length > max) throw new CommandError(extraArgument(name, max, parsed.positionals), { usage: true });
  const code = await command.run({
    site,
    values: parsed.values as CommandValues<Readonly<Record<string, CommandOption>>>,
    positionals: parsed.positionals,
    out: options.out ?? ((line) => process.stdout.write(`${line}\n`)),
    readLine: readStdinLine,
  });
  return typeof code === 'number' ? code : 0;
}

/** `paddock-runtime <name> --help`: usage, help and options. */
export function commandHelp(name: string, command: Command): string {
  const lines = [`Usage: paddock-runtime ${name}${command.usage ? ` ${command.usage}` : ''} [--site-dir <folder>]`, '', command.help];
  const opts = Object.entries(command.options ?? {});
  if (opts.length) {
    lines.push('', 'Options:');
    for (const [k, o] of opts) {
      const flag = `${o.short ? `-${o.short}, ` : ''}--${k}${o.type === 'string' ? ` ${o.placeholder ?? 'VALUE'}` : ''}`;
      lines.push(`  ${flag.padEnd(28)} ${o.description ?? ''}`.trimEnd());
    }
  }
  return lines.join('\n');
}
