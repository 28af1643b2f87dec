// `paddock-runtime shell`: a Node REPL with the site loaded (like Django's `manage.py shell`), or `-c CODE` run once.
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import repl, { type REPLServer } from 'node:repl';
import { inspect } from 'node:util';
import type { Site } from '../site/site.js';

export interface ShellOptions {
  /** Code to run instead of the interactive prompt; its completion value is printed. */
  code?: string;
  input?: Readable;
  output?: Writable;
}

/**
 * What a developer expects to find at the prompt: the runtime's exports (`defineSite`, `transaction`, ...), the site,
 * and every registered model by its class name (`Post`, `User`). An app's model wins over a runtime export of the same name.
 */
export async function shellContext(site: Site): Promise<Record<string, unknown>> {
  const runtime = (await import('../index.js')) as Record<string, unknown>;
  const context: Record<string, unknown> = { ...runtime, site, settings: site.settings };
  const { registry } = await import('../db/model.js');
  const siteApps = new Set(site.apps.map((a) => a.label));
  // Contrib models first, so a site's own model of the same name takes the bare name.
  const models = [...registry.models.values()].sort((a, b) => Number(siteApps.has(a._meta.app)) - Number(siteApps.has(b._meta.app)));
  for (const m of models) context[m._meta.modelName] = m;
  return context;
}

/** Where the REPL keeps its history, or null when it cannot be written (a read-only container) or is turned off. */
function historyFile(): string | null {
  try {
    // homedir() throws in an image without a passwd file and no HOME.
    const file = process.env.NODE_REPL_HISTORY ?? join(homedir(), '.paddock_shell_history');
    if (!file.trim()) return null;
    accessSync(dirname(file), constants.W_OK);
    return file;
  } catch {
    return null;
  }
}

function startRepl(context: Record<string, unknown>, opts: { input: Readable; output: Writable; terminal: boolean; prompt: string }): REPLServer {
  // useGlobal: the models and the runtime live in this realm, so `instanceof` and Promise checks behave as in site code.
  const server = repl.start({
    prompt: opts.prompt, input: opts.input, output: opts.output, terminal: opts.terminal, useGlobal: true, ignoreUndefined: true,
  });
  Object.assign(server.context, context);
  return server;
}

/** Runs `code` as the REPL would (top-level await, the last expression's value) and reports it; 1 on an error. */
function runCode(context: Record<string, unknown>, code: string, output: Writable): Promise<number> {
  const errors = new PassThrough();
  const server = startRepl(context, { input: new PassThrough(), output: errors, terminal: false, prompt: '' });
  return new Promise<number>((resolveCode) => {
    let settled = false;
    const done = (status: number) => {
      if (settled) return;
      settled = true;
      server.close();
      resolveCode(status);
    };
    // The REPL reports a thrown error on its own output (through its domain) and never calls back, so whatever it
    // writes there is the error: nothing else goes to that stream in this mode.
    errors.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (!text.trim()) return;
      process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
      setImmediate(() => done(1));
    });
    server.eval(code, server.context, 'shell -c', (err, result) => {
      if (err) {
        // A Recoverable error is the REPL's "input not finished yet": for a whole program that is a syntax error.
        const cause = err instanceof repl.Recoverable ? (err as unknown as { err: Error }).err : err;
        process.stderr.write(`${cause instanceof Error ? (cause.stack ?? cause.message) : inspect(cause)}\n`);
        done(1);
        return;
      }
      if (result !== undefined) output.write(`${inspect(result, { colors: false, depth: 4 })}\n`);
      done(0);
    });
  });
}

export async function shell(site: Site, opts: ShellOptions = {}): Promise<number> {
  const context = await shellContext(site);
  const output = opts.output ?? process.stdout;
  if (opts.code !== undefined) return runCode(context, opts.code, output);

  const input = opts.input ?? process.stdin;
  const terminal = Boolean((input as NodeJS.ReadStream).isTTY && (output as NodeJS.WriteStream).isTTY);
  const names = Object.keys(context).filter((k) => /^[A-Z]/.test(k) && typeof context[k] === 'function' && (context[k] as { _meta?: unknown })._meta);
  output.write(`Paddock shell for ${site.dir}. Models: ${names.join(', ') || '(none)'}. Top-level await works; .exit or Ctrl-D to leave.\n`);
  if (!terminal) return pipedRepl(context, input, output);
  const server = startRepl(context, { input, output, terminal, prompt: 'paddock> ' });
  const file = historyFile();
  if (file) server.setupHistory(file, () => { /* history is a convenience: a failure to open it is not worth reporting */ });
  return new Promise<number>((done) => { server.on('exit', () => done(0)); });
}

/**
 * The REPL on pipes (`echo ... | paddock-runtime shell`, a one-off's stdin): lines are handed to it one at a time,
 * each once the previous one has finished (the REPL shows its prompt again), so that `const n = await ...` has
 * happened before the next line reads `n` (the REPL itself would read on while a line still awaits).
 */
function pipedRepl(context: Record<string, unknown>, input: Readable, output: Writable): Promise<number> {
  const feed = new PassThrough();
  const server = startRepl(context, { input: feed, output, terminal: false, prompt: '' });
  const queue: string[] = [];
  let ready = false;
  let ended = false;
  const pump = () => {
    if (!ready) return;
    const next = queue.shift();
    if (next !== undefined) {
      ready = false;
      feed.write(`${next}\n`);
    } else if (ended) feed.end();
  };
  // After every line (a value, an error, or "more input needed"), the REPL shows its prompt: ready for the next one.
  const display = server.displayPrompt.bind(server);
  server.displayPrompt = (preserveCursor?: boolean) => {
    display(preserveCursor);
    ready = true;
    setImmediate(pump);
  };
  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  lines.on('line', (line) => { queue.push(line); pump(); });
  lines.on('close', () => { ended = true; pump(); });
  ready = true;
  return new Promise<number>((done) => {
    server.on('exit', () => { lines.close(); done(0); });
  });
}
