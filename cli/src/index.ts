// The CLI as a library: run a `paddock` invocation in-process (the bin uses main.ts).
export { run, version, findCommand, type RunEnvironment } from './cli.js';
export { ExitCode, exitCodeDocs } from './exit-codes.js';
export { CliError } from './errors.js';
export { commands } from './commands/index.js';
