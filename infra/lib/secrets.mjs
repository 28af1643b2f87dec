// Generated dev secrets, made once and kept in the state dir so restarts find the same data.
import { existsSync, writeFileSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ensureDir, readEnvFile, stateDir } from './env.mjs';

const file = join(stateDir, 'secrets.env');

export function loadSecrets() {
  ensureDir(stateDir);
  const s = readEnvFile(file);
  const want = {
    PG_PASSWORD: () => randomBytes(18).toString('base64url'),
    CACHE_ADMIN_PASSWORD: () => randomBytes(24).toString('base64url'),
    MASTER_KEY: () => randomBytes(32).toString('base64'),
    OPERATOR_PASSWORD: () => randomBytes(12).toString('base64url'),
  };
  let changed = false;
  for (const [k, make] of Object.entries(want)) {
    if (!s[k]) { s[k] = make(); changed = true; }
  }
  if (changed || !existsSync(file)) {
    writeFileSync(file, Object.entries(s).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return s;
}
