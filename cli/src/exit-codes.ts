// The exit codes of `paddock`, one place, so scripts can rely on them and `paddock help exit-codes` lists them.

export const ExitCode = {
  ok: 0,
  /** The API refused or failed the request, or something else went wrong. */
  failure: 1,
  /** The command line was wrong: unknown command or option, a missing argument. */
  usage: 2,
  /** Not logged in, wrong credentials, or a token that is expired or revoked. */
  auth: 3,
  /** The site (or release, domain, ...) does not exist or is not visible to you. */
  notFound: 4,
  /** The API could not be reached (connection refused, DNS, timeout). */
  network: 5,
  /** A deploy or rollback ran and failed (build, release phase or health check). */
  deployFailed: 6,
  /** Interrupted with Ctrl-C. */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeDocs: ReadonlyArray<readonly [number, string]> = [
  [ExitCode.ok, 'success'],
  [ExitCode.failure, 'the API refused or failed the request, or another error'],
  [ExitCode.usage, 'wrong usage: unknown command or option, missing argument, needs a terminal'],
  [ExitCode.auth, 'not logged in, wrong email or password, expired or revoked token'],
  [ExitCode.notFound, 'the site or other resource does not exist (or is not yours)'],
  [ExitCode.network, 'the API could not be reached'],
  [ExitCode.deployFailed, 'the deploy or rollback failed (build, release phase, health check)'],
  [ExitCode.interrupted, 'interrupted (Ctrl-C)'],
];
