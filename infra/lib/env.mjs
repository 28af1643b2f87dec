// Where the dev stack keeps its state, and how its settings reach every process.
// Plain Node (no dependencies): these scripts run before `npm install` has.
import { chmodSync, existsSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { homedir } from 'node:os';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The dev stack's services are machine-wide (fixed ports, one Postgres cluster), so their state and
// secrets are too: every checkout on this machine shares them, and a fresh clone finds its data.
export const stateDir = resolve(process.env.PADDOCK_STATE_DIR
  ?? join(process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'paddock'));
export const stackEnvFile = join(stateDir, 'stack.env');

/**
 * A folder of the state dir: readable by the platform's user only (0700), since the state dir holds
 * secrets (secrets.env, stack.env, the cache pool's ACL file) and tenants' code. An existing
 * folder made before is tightened too.
 */
export function ensureDir(dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

/** Writes a file only the platform's user may read (0600), also when it existed with looser modes. */
export function writePrivateFile(file, content) {
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Reads a KEY=VALUE file (as written by the dev stack) into an object. */
export function readEnvFile(file) {
  const out = {};
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** The environment every platform process gets: the stack's settings, overridden by the caller's own env. */
export function platformEnv(extra = {}) {
  return { ...readEnvFile(stackEnvFile), ...process.env, ...extra };
}
