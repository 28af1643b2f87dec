// Personal API tokens for the CLI and automation: shown once, stored hashed, scoped, revocable,
// with their last use. Only a session mints them (the route declares it): a leaked token must not
// make itself a non-expiring successor that survives its own revocation.
import { errors } from '../errors.js';
import { audit, type Actor } from '../audit/audit.js';
import type { Db } from '../store/db.js';
import type { ApiToken } from '../store/schema.js';
import { API_TOKEN_PREFIX, newToken, type TokenScope } from './credentials.js';

/** The caller minting a token: what it may grant is what it holds. */
export interface TokenMinter {
  accountId: string;
  operator: boolean;
  scopes: readonly TokenScope[];
  actor: Actor;
}

export interface NewApiToken {
  name: string;
  scopes: TokenScope[];
  expiresInDays?: number | undefined;
}

/** Creates the token; the plaintext is in this answer only. */
export async function createApiToken(db: Db, caller: TokenMinter, input: NewApiToken): Promise<{ row: ApiToken; token: string }> {
  for (const s of input.scopes) if (!caller.scopes.includes(s)) throw errors.tokenScope(s);
  if (input.scopes.includes('admin') && !caller.operator) throw errors.operatorOnly();
  const { token, hash } = newToken(API_TOKEN_PREFIX);
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86400_000) : null;
  const row = await db.transaction().execute(async (trx) => {
    const r = await trx.insertInto('api_tokens').values({ account_id: caller.accountId, name: input.name, token_hash: hash, prefix: token.slice(0, 10), scopes: input.scopes, expires_at: expiresAt })
      .returningAll().executeTakeFirstOrThrow();
    await audit(trx, caller.actor, { action: 'token.create', targetType: 'token', targetId: r.id, details: { name: r.name, scopes: r.scopes } });
    return r;
  });
  return { row, token };
}

/** The account's tokens, newest first (their hashes never leave the database). */
export async function listApiTokens(db: Db, accountId: string): Promise<ApiToken[]> {
  return db.selectFrom('api_tokens').selectAll().where('account_id', '=', accountId).orderBy('created_at', 'desc').execute();
}

/** Revokes one of the account's own tokens; another account's answers as if it did not exist. */
export async function revokeApiToken(db: Db, accountId: string, actor: Actor, tokenId: string): Promise<void> {
  const res = await db.updateTable('api_tokens').set({ revoked_at: new Date() })
    .where('id', '=', tokenId).where('account_id', '=', accountId).where('revoked_at', 'is', null).executeTakeFirst();
  if (res.numUpdatedRows === 0n) throw errors.tokenNotFound();
  await audit(db, actor, { action: 'token.revoke', targetType: 'token', targetId: tokenId });
}
