// Running commands, installing Debian packages and probing ports for the dev stack.
import { spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { existsSync } from 'node:fs';
import { StackError, step } from './log.mjs';

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a command, returns { ok, stdout, stderr }; never throws. */
export function run(cmd, args = [], opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  return { ok: r.status === 0, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

/** Runs a command and throws a StackError with its output when it fails. */
export function must(cmd, args = [], opts = {}) {
  const r = run(cmd, args, opts);
  if (!r.ok) {
    throw new StackError(`\`${[cmd, ...args].join(' ')}\` failed: ${(r.stderr || r.stdout || String(r.error)).trim()}`);
  }
  return r.stdout;
}

export function which(cmd) {
  const r = run('sh', ['-c', `command -v ${cmd}`]);
  return r.ok ? r.stdout.trim() : null;
}

export function hasBinary(cmd, extraDirs = ['/usr/sbin', '/usr/lib/postgresql']) {
  return Boolean(which(cmd)) || extraDirs.some((d) => existsSync(`${d}/${cmd}`));
}

let aptUpdated = false;

/**
 * Makes sure Debian packages are installed. Installs the missing ones with apt when root; otherwise
 * stops with the exact command to run.
 */
export function ensurePackages(pkgs, why) {
  const missing = pkgs.filter((p) => !run('dpkg-query', ['-W', '-f=${Status}', p]).stdout.includes('install ok installed'));
  if (missing.length === 0) return [];
  const cmd = `apt-get install -y ${missing.join(' ')}`;
  if (!isRoot || !which('apt-get')) {
    throw new StackError(
      `${why} needs ${missing.join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed.`,
      `Install ${missing.length > 1 ? 'them' : 'it'} (as root: \`${cmd}\`, or your system's equivalent), then run this again.`,
    );
  }
  step(`Installing ${missing.join(', ')} from Debian for ${why} (first run only)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    must('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    aptUpdated = true;
  }
  must('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  return missing;
}

/** Resolves true when something accepts TCP connections on host:port. */
export function portOpen(port, host = '127.0.0.1', timeoutMs = 500) {
  return new Promise((resolve) => {
    const sock = createConnection({ port, host });
    const done = (v) => { sock.destroy(); resolve(v); };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export async function waitFor(probe, { timeoutMs = 30000, intervalMs = 100, what = 'service' } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new StackError(`${what} did not come up within ${Math.round(timeoutMs / 1000)} s.`);
}
