// Bearer credentials: dashboard sessions (`pds_…`) and personal API tokens (`pdt_…`). Only a
// SHA-256 of each is stored — they are 256-bit random, so a fast hash is enough — and the
// plaintext is shown once, at creation.
import { createHash } from 'node:crypto';
import { randomSecret } from '../secrets/box.js';

export const SESSION_PREFIX = 'pds_';
export const API_TOKEN_PREFIX = 'pdt_';

/** What an API token may do. Sessions may do everything their account may. */
export const tokenScopes = ['read', 'write', 'admin'] as const;
export type TokenScope = (typeof tokenScopes)[number];

export function newToken(prefix: string): { token: string; hash: Buffer } {
  const token = `${prefix}${randomSecret(32)}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
