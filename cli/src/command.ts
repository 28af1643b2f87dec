// What a command is: its name, options, help text with examples, and what it runs.
import type { ApiClient } from './api-client.js';
import type { ConfigStore } from './config.js';
import type { Output, Streams } from './output.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  description: string;
  /** Shown in help after the option: `--email <email>`. */
  placeholder?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export type OptionValues<O extends OptionSpecs> = {
  [K in keyof O]?: O[K]['type'] extends 'string' ? (O[K]['multiple'] extends true ? string[] : string) : boolean;
};

export interface Parsed<O extends OptionSpecs> {
  values: OptionValues<O> & GlobalValues;
  positionals: string[];
}

export interface GlobalValues {
  json?: boolean;
  api?: string;
  help?: boolean;
  'no-color'?: boolean;
}

export interface Context {
  out: Output;
  streams: Streams;
  env: NodeJS.ProcessEnv;
  cwd: string;
  config: ConfigStore;
  /** The API address in use: --api, else PADDOCK_API, else the one last logged in to, else localhost. */
  apiBase: string;
  /** A client that sends the stored or PADDOCK_TOKEN credentials. */
  api: ApiClient;
  /** A client that sends no credentials (signup, login). */
  anonymousApi: ApiClient;
  version: string;
  /** Aborted on Ctrl-C, for long-running requests. */
  signal: AbortSignal;
  /** Runs another command with the same context (e.g. `push` after `init`). */
  runCommand(argv: string[]): Promise<number>;
}

export interface Command<O extends OptionSpecs = OptionSpecs> {
  name: string;
  aliases?: readonly string[];
  /** Heading the command is listed under in `paddock --help`. */
  group: 'Account' | 'Local development' | 'Sites' | 'Deploy' | 'Run-time' | 'Help';
  summary: string;
  /** After `paddock `: e.g. `sites:create <name> [--org <org>]`. */
  usage: string;
  description?: string;
  options: O;
  /** Positional argument count allowed (default: none). */
  positionals?: { min?: number; max?: number; names?: string };
  /** Everything after the first positional (or `--`) is passed through untouched (`run`). */
  passthrough?: boolean;
  examples: readonly string[];
  run(ctx: Context, args: Parsed<O>): Promise<number | void>;
}

export function defineCommand<const O extends OptionSpecs>(command: Command<O>): Command {
  return command as unknown as Command;
}

export const globalOptions = {
  json: { type: 'boolean', description: 'print data as JSON (for scripts)' },
  api: { type: 'string', placeholder: 'url', description: 'API address (default: PADDOCK_API, else the last login, else http://localhost:4000)' },
  'no-color': { type: 'boolean', description: 'no colours (also NO_COLOR=1 or when not a terminal)' },
  help: { type: 'boolean', short: 'h', description: 'show help for the command' },
} as const satisfies OptionSpecs;

export const siteOption = {
  site: { type: 'string', short: 's', placeholder: 'name', description: 'the site (default: PADDOCK_SITE, else the one linked to this directory)' },
} as const satisfies OptionSpecs;

export const yesOption = {
  yes: { type: 'boolean', short: 'y', description: 'do not ask for confirmation' },
} as const satisfies OptionSpecs;
