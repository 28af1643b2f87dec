// Where the dev stack keeps its state, and how its settings reach every process.
// Plain Node (no dependencies): these scripts run before `npm install` has.
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { homedir } from 'node:os';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The dev stack's services are machine-wide (fixed ports, one Postgres cluster), so their state and
// secrets are too: every checkout on this machine shares them, and a fresh clone finds its data.
export const stateDir = resolve(process.env.PADDOCK_STATE_DIR
  ?? join(process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'paddock'));
export const stackEnvFile = join(stateDir, 'stack.env');

export function ensureDir(dir) {
  mkdirSync(dir, { recursive: true });
  return dir;
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
