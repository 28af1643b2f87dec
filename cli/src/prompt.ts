// Questions on a terminal (email, password with echo off, confirmations). Never on a pipe: a
// script gets a clear error naming the flag to pass instead (see needsTerminal).
import { createInterface } from 'node:readline';
import type { Streams } from './output.js';
import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';

export function canPrompt(streams: Streams): boolean {
  return Boolean(streams.stdin.isTTY) && Boolean(streams.stderr.isTTY);
}

export async function ask(streams: Streams, question: string, opts: { hidden?: boolean } = {}): Promise<string> {
  const rl = createInterface({ input: streams.stdin, output: streams.stderr, terminal: true });
  const rlWithOutput = rl as unknown as { _writeToOutput?: (s: string) => void };
  if (opts.hidden) {
    // Echo the question, but not the typed characters.
    let asked = false;
    rlWithOutput._writeToOutput = (s: string) => {
      if (!asked) {
        asked = true;
        streams.stderr.write(s);
      } else if (s.includes('\n') || s.includes('\r')) {
        streams.stderr.write('\n');
      }
    };
  }
  try {
    return await new Promise<string>((resolve, reject) => {
      rl.on('SIGINT', () => reject(new CliError('CLI_INTERRUPTED', 'Interrupted.', undefined, ExitCode.interrupted)));
      rl.on('close', () => reject(new CliError('CLI_INTERRUPTED', 'No answer (input closed).', undefined, ExitCode.interrupted)));
      rl.question(question, (answer) => resolve(answer));
    });
  } finally {
    rl.removeAllListeners('close');
    rl.close();
  }
}

/** Reads all of stdin (for --password-stdin). */
export async function readStdin(streams: Streams): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of streams.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
