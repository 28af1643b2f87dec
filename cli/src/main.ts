// Entry point of the `paddock` binary: wires the process (argv, streams, Ctrl-C) to cli.run.
import { run } from './cli.js';
import { ExitCode } from './exit-codes.js';

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  controller.abort();
  // A second Ctrl-C leaves at once, whatever is still being cleaned up.
  if (interrupts > 1) process.exit(ExitCode.interrupted);
});
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  // `paddock logs | head` closes the pipe early: that is not an error.
  if (err.code === 'EPIPE') process.exit(ExitCode.ok);
  throw err;
});

const code = await run(process.argv.slice(2), {
  streams: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
process.exitCode = code;
