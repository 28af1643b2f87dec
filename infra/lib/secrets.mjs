// Generated dev secrets, made once and kept in the state dir so restarts find the same data.
// Readable by the platform's user only: they open the platform database and every tenant's.
import { chmodSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ensureDir, readEnvFile, stateDir, writePrivateFile } from './env.mjs';

const file = join(stateDir, 'secrets.env');

export function loadSecrets() {
  ensureDir(stateDir);
  const s = readEnvFile(file);
  const want = {
    // The platform role `paddock` (platform database only).
    PG_PASSWORD: () => randomBytes(18).toString('base64url'),
    // `paddock_provisioner`: creates tenant databases and roles on the tenant server.
    PG_PROVISIONER_PASSWORD: () => randomBytes(18).toString('base64url'),
    // `paddock_test`: makes the tests' platform databases.
    PG_TEST_PASSWORD: () => randomBytes(18).toString('base64url'),
    // `postgres` of the embedded servers (Debian's log in over the local socket instead).
    PG_SUPERUSER_PASSWORD: () => randomBytes(18).toString('base64url'),
    CACHE_ADMIN_PASSWORD: () => randomBytes(24).toString('base64url'),
    MASTER_KEY: () => randomBytes(32).toString('base64'),
    OPERATOR_PASSWORD: () => randomBytes(12).toString('base64url'),
  };
  let changed = false;
  for (const [k, make] of Object.entries(want)) {
    if (!s[k]) { s[k] = make(); changed = true; }
  }
  if (changed || !existsSync(file)) writePrivateFile(file, Object.entries(s).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  else chmodSync(file, 0o600); // a file made before with looser modes
  return s;
}
