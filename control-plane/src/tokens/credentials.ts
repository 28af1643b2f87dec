// Bearer credentials: dashboard sessions (`pds_…`) and personal API tokens (`pdt_…`). Only a
// SHA-256 of each is stored — they are 256-bit random, so a fast hash is enough — and the
// plaintext is shown once, at creation.
import { createHash } from 'node:crypto';
import { randomSecret } from '../secrets/box.js';

export const SESSION_PREFIX = 'pds_';
export const API_TOKEN_PREFIX = 'pdt_';

/**
 * What an API token may do. Sessions hold every scope (and may do everything their account may).
 * - `read`: see sites, deploys, releases, logs, metrics, domains, organisations — never a secret.
 * - `secrets`: `read`, plus the values of secrets: env vars, database and cache passwords.
 * - `write`: change anything (deploy, configure, run commands), and `secrets` and `read`. A token
 *   that can run code in a site or set its env can reach its secrets anyway, so withholding them
 *   would protect nothing and break `paddock env` with a deploy token.
 * - `admin`: the operators' admin API, and nothing else.
 */
export const tokenScopes = ['read', 'secrets', 'write', 'admin'] as const;
export type TokenScope = (typeof tokenScopes)[number];

/** The scopes a token holding each scope may use. */
const grants: Record<TokenScope, readonly TokenScope[]> = {
  read: ['read'],
  secrets: ['secrets', 'read'],
  write: ['write', 'secrets', 'read'],
  admin: ['admin'],
};

/** Whether a credential holding `held` may use a route that needs `needed`. */
export function holdsScope(held: readonly TokenScope[], needed: TokenScope): boolean {
  return held.some((s) => grants[s].includes(needed));
}

/** The scopes that satisfy `needed`, for messages and the API description: e.g. secrets → secrets, write. */
export function scopesGranting(needed: TokenScope): TokenScope[] {
  return tokenScopes.filter((s) => grants[s].includes(needed));
}

export function newToken(prefix: string): { token: string; hash: Buffer } {
  const token = `${prefix}${randomSecret(32)}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
