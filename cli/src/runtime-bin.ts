// Finds @paddock/runtime (its `paddock-runtime` bin and its starters) and runs the bin as a child
// that shares the terminal, passing Ctrl-C through.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';

export function runtimeDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('@paddock/runtime/package.json'));
  } catch {
    throw new CliError('CLI_NO_RUNTIME', '@paddock/runtime is not installed next to paddock.', 'Reinstall the CLI (`npm i -g @paddock/cli`), which brings the runtime with it.', ExitCode.failure);
  }
}

/**
 * Makes `@paddock/runtime` importable from the site's code: a site outside a checkout has no
 * node_modules of its own, so link the runtime that came with this CLI (the platform provides
 * its own at build time, and push leaves node_modules out).
 */
export function linkRuntime(siteDir: string): void {
  try {
    createRequire(join(siteDir, 'package.json')).resolve('@paddock/runtime/package.json');
    return;
  } catch {
    // not resolvable from the site: link it
  }
  const scope = join(siteDir, 'node_modules', '@paddock');
  mkdirSync(scope, { recursive: true });
  symlinkSync(runtimeDir(), join(scope, 'runtime'), 'dir');
}

export function runtimeVersion(): string {
  return (JSON.parse(readFileSync(join(runtimeDir(), 'package.json'), 'utf8')) as { version: string }).version;
}

export function runtimeBin(): string {
  const bin = join(runtimeDir(), 'bin', 'paddock-runtime.mjs');
  if (!existsSync(bin)) throw new CliError('CLI_NO_RUNTIME', `The runtime's command is missing (${bin}).`, 'Reinstall @paddock/runtime.', ExitCode.failure);
  return bin;
}

export function starterDir(name: string): string {
  return join(runtimeDir(), 'starters', name);
}

export function spawnRuntime(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): ChildProcess {
  return spawn(process.execPath, [runtimeBin(), ...args], { cwd: opts.cwd, env: opts.env, stdio: 'inherit' });
}

/** Runs `paddock-runtime <args>` to completion; resolves with its exit code. */
export function runRuntime(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; signal: AbortSignal }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawnRuntime(args, opts);
    const onAbort = () => child.kill('SIGINT');
    opts.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      opts.signal.removeEventListener('abort', onAbort);
      resolve(code ?? (signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.failure));
    });
  });
}
