// Questions on a terminal (email, password with echo off, confirmations). Never on a pipe: a
// script gets a clear error naming the flag to pass instead (see needsTerminal).
import type { Streams } from './output.js';
import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';

export function canPrompt(streams: Streams): boolean {
  return Boolean(streams.stdin.isTTY) && Boolean(streams.stderr.isTTY);
}

/**
 * Asks one question on the terminal. The terminal goes to raw mode and keys are read here
 * (not through readline, whose dumb-terminal mode keeps echoing after close), so a hidden
 * answer is never shown.
 */
export function ask(streams: Streams, question: string, opts: { hidden?: boolean } = {}): Promise<string> {
  const stdin = streams.stdin;
  const echo = (s: string) => {
    if (!opts.hidden) streams.stderr.write(s);
  };
  // Raw mode before the question shows, so nothing typed after it is echoed by the terminal.
  stdin.setRawMode?.(true);
  stdin.resume();
  streams.stderr.write(question);
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      streams.stderr.write('\n');
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') {
          finish();
          return resolve(value);
        }
        if (ch === '\u0003') {
          finish();
          return reject(interrupted());
        }
        if (ch === '\u0004') {
          finish();
          return value ? resolve(value) : reject(interrupted('No answer (input closed).'));
        }
        if (ch === '\u007f' || ch === '\b') {
          if (value) echo('\b \b');
          value = Array.from(value).slice(0, -1).join('');
        } else if (ch >= ' ') {
          value += ch;
          echo(ch);
        }
      }
    };
    stdin.on('data', onData);
  });
}

function interrupted(message = 'Interrupted.'): CliError {
  return new CliError('CLI_INTERRUPTED', message, undefined, ExitCode.interrupted);
}

/** Reads all of stdin (for --password-stdin). */
export async function readStdin(streams: Streams): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of streams.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
