// Runs one `paddock` invocation: finds the command (or suggests one), parses its options with
// node:util parseArgs, builds the context (output, config, API client) and maps errors to exit codes.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApiClient } from './api-client.js';
import { globalOptions, type Command, type Context, type OptionSpecs, type Parsed } from './command.js';
import { commands } from './commands/index.js';
import { ConfigStore, configPath, defaultApi, normaliseApi } from './config.js';
import { CliError, usageError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { commandHelp, overviewHelp } from './help.js';
import { Output, type Streams } from './output.js';
import { suggest } from './suggest.js';

export interface RunEnvironment {
  streams: Streams;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal: AbortSignal;
}

export const version: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function findCommand(name: string): Command | undefined {
  return commands.find((c) => c.name === name || c.aliases?.includes(name));
}

/** Flags that take a value (`--site NAME`, `-s NAME`) in any command: before the command's name they are still flags. */
function valueFlags(): Set<string> {
  const flags = new Set<string>();
  for (const specs of [globalOptions as OptionSpecs, ...commands.map((c) => c.options ?? {})]) {
    for (const [name, spec] of Object.entries(specs)) {
      if (spec.type !== 'string') continue;
      flags.add(`--${name}`);
      if (spec.short) flags.add(`-${spec.short}`);
    }
  }
  return flags;
}

/**
 * Splits the command name from its arguments. Flags may come before the name, as with heroku and
 * flyctl (`paddock --site blog info`): they are passed on to the command with the rest.
 */
function splitCommand(argv: readonly string[]): { name: string | undefined; rest: string[] } {
  const takesValue = valueFlags();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (takesValue.has(a)) i++;
      continue;
    }
    return { name: a, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { name: undefined, rest: [...argv] };
}

export async function run(argv: readonly string[], runEnv: RunEnvironment): Promise<number> {
  const { name, rest } = splitCommand(argv);
  const looseGlobals = { json: rest.includes('--json'), noColor: rest.includes('--no-color') };
  let out = new Output(runEnv.streams, { json: looseGlobals.json, noColor: looseGlobals.noColor, env: runEnv.env });
  try {
    if (name === undefined) {
      if (rest.includes('--version') || rest.includes('-V') || rest.includes('-v')) {
        out.data({ version }, () => out.line(`paddock ${version} (node ${process.version})`));
        return ExitCode.ok;
      }
      const unknown = rest.find((a) => a.startsWith('-') && !['--help', '-h', '--json', '--no-color'].includes(a));
      if (unknown) throw usageError(`Unknown option ${unknown}.`, 'Run `paddock --help` to see the commands.');
      runEnv.streams.stdout.write(`${overviewHelp(out, commands, version)}\n`);
      return ExitCode.ok;
    }
    const command = findCommand(name);
    if (!command) {
      const names = commands.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
      const close = suggest(name, names);
      throw usageError(
        `"${name}" is not a paddock command.`,
        close.length ? `Did you mean ${close.map((c) => `\`paddock ${c}\``).join(' or ')}?` : 'Run `paddock --help` to see the commands.',
      );
    }
    const parsed = parseCommandArgs(command, rest);
    out = new Output(runEnv.streams, { json: Boolean(parsed.values.json), noColor: Boolean(parsed.values['no-color']), env: runEnv.env });
    if (parsed.values.help) {
      runEnv.streams.stdout.write(`${commandHelp(out, command)}\n`);
      return ExitCode.ok;
    }
    checkPositionals(command, parsed.positionals);
    const ctx = makeContext(out, runEnv, parsed.values.api);
    try {
      return (await command.run(ctx, parsed)) ?? ExitCode.ok;
    } catch (err) {
      // A value the platform refused: say where the command's arguments are described.
      if (err instanceof CliError && err.code === 'PDK_VALIDATION' && !err.hint) {
        throw new CliError(err.code, err.message, `Check what you gave: \`paddock ${command.name} --help\` shows what it takes.`, err.exitCode, err.status);
      }
      throw err;
    }
  } catch (err) {
    return report(out, err, runEnv);
  }
}

function parseCommandArgs(command: Command, rest: string[]): Parsed<OptionSpecs> {
  const options = { ...globalOptions, ...command.options } as OptionSpecs;
  let args = rest;
  let passthrough: string[] = [];
  if (command.passthrough) {
    // Options before the first positional (or `--`) are paddock's; the rest is the command to run.
    const dashdash = args.indexOf('--');
    const firstPositional = args.findIndex((a, i) => !a.startsWith('-') && !(i > 0 && isValueOf(args[i - 1]!, options)));
    const cut = dashdash >= 0 && (firstPositional < 0 || dashdash < firstPositional) ? dashdash : firstPositional;
    if (cut >= 0) {
      passthrough = args.slice(args[cut] === '--' ? cut + 1 : cut);
      args = args.slice(0, cut);
    }
  }
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as Parsed<OptionSpecs>['values'], positionals: [...positionals, ...passthrough] };
  } catch (err) {
    const e = err as { code?: string; message: string };
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const m = /'(-{1,2}[^']+)'/.exec(e.message);
      const bad = m?.[1] ?? '';
      const close = suggest(bad.replace(/^-+/, ''), Object.keys(options)).map((o) => `--${o}`);
      throw usageError(
        `Unknown option ${bad || ''} for \`paddock ${command.name}\`.`.replace('  ', ' '),
        close.length ? `Did you mean ${close.join(' or ')}? See \`paddock ${command.name} --help\`.` : `See \`paddock ${command.name} --help\`.`,
      );
    }
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw usageError(e.message.split('\n')[0] ?? e.message, `See \`paddock ${command.name} --help\`.`);
    }
    throw err;
  }
}

function isValueOf(prev: string, options: OptionSpecs): boolean {
  if (!prev.startsWith('-') || prev.includes('=')) return false;
  const spec = prev.startsWith('--') ? options[prev.slice(2)] : Object.values(options).find((o) => `-${o.short}` === prev);
  return spec?.type === 'string';
}

function checkPositionals(command: Command, positionals: string[]): void {
  const min = command.positionals?.min ?? 0;
  const max = command.positionals?.max ?? 0;
  if (positionals.length < min) {
    throw usageError(`\`paddock ${command.name}\` needs ${command.positionals?.names ?? 'an argument'}.`, `Usage: paddock ${command.usage}   (see \`paddock ${command.name} --help\`)`);
  }
  if (!command.passthrough && positionals.length > max) {
    throw usageError(`Unexpected argument "${positionals[max]}" for \`paddock ${command.name}\`.`, `Usage: paddock ${command.usage}`);
  }
}

function makeContext(out: Output, runEnv: RunEnvironment, apiFlag: string | undefined): Context {
  const config = new ConfigStore(configPath(runEnv.env));
  // It holds tokens: if someone loosened its mode, tighten it before using it.
  config.repairMode();
  const stored = config.read();
  const apiBase = normaliseApi(apiFlag ?? runEnv.env.PADDOCK_API ?? stored.api ?? defaultApi);
  const userAgent = `paddock-cli/${version} node/${process.version}`;
  const envToken = runEnv.env.PADDOCK_TOKEN;
  const credential = stored.credentials?.[apiBase];
  const api = new ApiClient(
    envToken
      ? { base: apiBase, token: envToken, tokenSource: 'env', userAgent }
      : { base: apiBase, token: credential?.token, tokenSource: 'config', userAgent },
  );
  const ctx: Context = {
    out,
    streams: runEnv.streams,
    env: runEnv.env,
    cwd: runEnv.cwd,
    config,
    apiBase,
    api,
    anonymousApi: new ApiClient({ base: apiBase, userAgent, anonymous: true }),
    version,
    signal: runEnv.signal,
    runCommand: (argv) => run(argv, runEnv),
  };
  return ctx;
}

function report(out: Output, err: unknown, runEnv: RunEnvironment): number {
  const stderr = runEnv.streams.stderr;
  if (runEnv.signal.aborted && !(err instanceof CliError && err.exitCode === ExitCode.interrupted)) {
    stderr.write('\nInterrupted.\n');
    return ExitCode.interrupted;
  }
  if (err instanceof CliError) {
    if (out.json) {
      stderr.write(`${JSON.stringify({ error: { code: err.code, message: err.message, hint: err.hint, status: err.status } })}\n`);
    } else {
      stderr.write(`${out.red('Error:')} ${err.message}${err.code.startsWith('CLI_') ? '' : out.dim(` (${err.code})`)}\n`);
      if (err.hint) stderr.write(`${err.hint}\n`);
    }
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  stderr.write(`${out.red('Error:')} ${e.message}\n`);
  stderr.write(runEnv.env.PADDOCK_DEBUG ? `${e.stack}\n` : 'This looks like a bug in paddock. Run again with PADDOCK_DEBUG=1 for details, and report it.\n');
  return ExitCode.failure;
}
