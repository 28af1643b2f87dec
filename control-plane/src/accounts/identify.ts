// Who holds a bearer credential: a session token or an API token, resolved to its account and the
// scopes it holds, recording the credential's last use. (api/authenticate.ts reads the credential
// off the request and calls this once per request.)
import { errors } from '../errors.js';
import type { Db } from '../store/db.js';
import { API_TOKEN_PREFIX, hashToken, SESSION_PREFIX, tokenScopes, type TokenScope } from '../tokens/credentials.js';

export interface Credential {
  accountId: string;
  email: string;
  operator: boolean;
  kind: 'session' | 'token';
  /** The session's or the API token's id. */
  credentialId: string;
  /** Sessions hold every scope; API tokens those they were created with. */
  scopes: readonly TokenScope[];
}

// last_used_at is written at most this often per credential: one write per request would
// cost every read route a round-trip and a row lock.
const LAST_USED_GRANULARITY_MS = 60_000;

/** The credential's account and scopes; undefined when it is unknown, expired or revoked; refuses a suspended account. */
export async function identifyCredential(db: Db, token: string): Promise<Credential | undefined> {
  if (token.length > 200) return undefined;
  const hash = hashToken(token);
  const now = new Date();
  if (token.startsWith(SESSION_PREFIX)) {
    const row = await db.selectFrom('sessions').innerJoin('accounts', 'accounts.id', 'sessions.account_id')
      .select(['sessions.id', 'sessions.last_used_at', 'accounts.id as account_id', 'accounts.email', 'accounts.is_operator', 'accounts.status'])
      .where('sessions.token_hash', '=', hash).where('sessions.expires_at', '>', now).executeTakeFirst();
    if (!row) return undefined;
    if (row.status !== 'active') throw errors.accountSuspended();
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > LAST_USED_GRANULARITY_MS) {
      void db.updateTable('sessions').set({ last_used_at: now }).where('id', '=', row.id).execute().catch(() => {});
    }
    return { accountId: row.account_id, email: row.email, operator: row.is_operator, kind: 'session', credentialId: row.id, scopes: tokenScopes };
  }
  if (token.startsWith(API_TOKEN_PREFIX)) {
    const row = await db.selectFrom('api_tokens').innerJoin('accounts', 'accounts.id', 'api_tokens.account_id')
      .select(['api_tokens.id', 'api_tokens.scopes', 'api_tokens.expires_at', 'api_tokens.revoked_at', 'api_tokens.last_used_at', 'accounts.id as account_id', 'accounts.email', 'accounts.is_operator', 'accounts.status'])
      .where('api_tokens.token_hash', '=', hash).executeTakeFirst();
    if (!row || row.revoked_at || (row.expires_at && row.expires_at <= now)) return undefined;
    if (row.status !== 'active') throw errors.accountSuspended();
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > LAST_USED_GRANULARITY_MS) {
      void db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute().catch(() => {});
    }
    return {
      accountId: row.account_id, email: row.email, operator: row.is_operator, kind: 'token', credentialId: row.id,
      scopes: row.scopes.filter((s): s is TokenScope => (tokenScopes as readonly string[]).includes(s)),
    };
  }
  return undefined;
}
