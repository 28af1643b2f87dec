// Every error the CLI reports: what went wrong, the command that fixes it, and the exit code.
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/**
 * One full stop where a sentence ends, never "..": a reason quoted at the end of a message often
 * brings its own ("failed: the replica exited." + "."). An ellipsis is written "…", not "...".
 */
export function tidy(text: string): string {
  return text.replace(/\.{2,}(?=\s|$)/g, '.');
}

export class CliError extends Error {
  readonly hint: string | undefined;
  constructor(
    /** A stable code: the API's `PDK_...` code when the API said so, else a `CLI_...` code. */
    readonly code: string,
    message: string,
    /** What to do next, usually a command to run. */
    hint: string | undefined,
    readonly exitCode: ExitCodeValue,
    /** The HTTP status when the error came from the API. */
    readonly status?: number,
  ) {
    super(tidy(message));
    this.hint = hint === undefined ? undefined : tidy(hint);
    this.name = 'CliError';
  }
}

export function usageError(message: string, hint?: string): CliError {
  return new CliError('CLI_USAGE', message, hint, ExitCode.usage);
}

export function notLoggedIn(api: string): CliError {
  return new CliError(
    'CLI_NOT_LOGGED_IN',
    `You are not logged in to ${api}.`,
    'Run `paddock login` (or `paddock signup`), or set PADDOCK_TOKEN.',
    ExitCode.auth,
  );
}

export function noLinkedSite(): CliError {
  return new CliError(
    'CLI_NO_SITE',
    'No site is linked to this directory.',
    'Run `paddock sites:create <name>` here, `paddock link <name>` for an existing site, or pass --site <name>.',
    ExitCode.usage,
  );
}

export function needsTerminal(what: string, flag: string): CliError {
  return new CliError(
    'CLI_NO_TTY',
    `${what} is needed and the input is not a terminal, so it cannot be asked for.`,
    `Pass ${flag}.`,
    ExitCode.usage,
  );
}
