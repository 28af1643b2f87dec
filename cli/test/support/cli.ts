// Test support: runs the real `paddock` binary (cli/bin/paddock.mjs, from source) in a child
// process with its own temporary HOME and config dir, never the developer's.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const bin = fileURLToPath(new URL('../../bin/paddock.mjs', import.meta.url));

const cliRoot = fileURLToPath(new URL('../../', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Whether the binary should run from source: when dist/ is missing or older than a source file.
 * `npm test` builds first, so the suite runs the compiled CLI, as users do (and starts it three
 * times faster); a test run while editing gets the sources, never a stale build.
 */
export function distIsStale(): boolean {
  const built = join(cliRoot, 'dist', 'main.js');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  return newestMtime(join(cliRoot, 'src')) > builtAt || statSync(join(cliRoot, 'package.json')).mtimeMs > builtAt;
}

const fromSource = distIsStale() ? '1' : '0';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliHome {
  dir: string;
  configDir: string;
  configFile: string;
  env: Record<string, string>;
  run(args: string[], opts?: RunOptions): Promise<CliResult>;
  cleanup(): void;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

export function runCli(args: string[], env: Record<string, string | undefined>, opts: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const fullEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...env, ...opts.env })) if (v !== undefined) fullEnv[k] = v;
    const child = spawn(process.execPath, [bin, ...args], { cwd: opts.cwd ?? tmpdir(), env: fullEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** A fresh HOME/XDG_CONFIG_HOME for one test file; only PATH is taken from the test's own environment. */
export function cliHome(extraEnv: Record<string, string> = {}): CliHome {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-cli-test-'));
  const configDir = join(dir, 'config');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    XDG_CONFIG_HOME: configDir,
    PADDOCK_CLI_FROM_SOURCE: fromSource,
    ...extraEnv,
  };
  return {
    dir,
    configDir,
    configFile: join(configDir, 'paddock', 'config.json'),
    env,
    run: (args, opts) => runCli(args, env, { cwd: dir, ...opts }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Runs the binary on a pseudo-terminal (util-linux `script`), answering each prompt when it
 * appears: what a person at a terminal sees, including whether a typed password is echoed.
 */
export function runOnTerminal(args: string[], env: Record<string, string>, answers: Array<[prompt: string, answer: string]>, opts: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const command = [process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['--quiet', '--return', '--flush', '--echo', 'never', '--command', command, '/dev/null'], {
      cwd: opts.cwd ?? tmpdir(),
      env: { TERM: 'xterm', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let next = 0;
    let seen = 0;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const pending = answers[next];
      if (pending && stdout.indexOf(pending[0], seen) >= 0) {
        seen = stdout.indexOf(pending[0], seen) + pending[0].length;
        next++;
        child.stdin.write(`${pending[1]}\r`);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout: stdout.replace(/\r\n/g, '\n'), stderr });
    });
  });
}
