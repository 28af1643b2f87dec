// Dashboard sessions: created at signup and login, ended at logout and by a password reset.
import type { Db } from '../store/db.js';
import { audit, type Actor } from '../audit/audit.js';
import { newToken, SESSION_PREFIX } from '../tokens/credentials.js';

export interface NewSession {
  id: string;
  token: string;
  expiresAt: Date;
}

export async function createSession(db: Db, accountId: string, ttlHours: number, meta: { ip?: string | null; userAgent?: string | null }): Promise<NewSession> {
  const { token, hash } = newToken(SESSION_PREFIX);
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  const row = await db.insertInto('sessions')
    .values({ account_id: accountId, token_hash: hash, expires_at: expiresAt, ip: meta.ip ?? null, user_agent: meta.userAgent?.slice(0, 300) ?? null })
    .returning('id').executeTakeFirstOrThrow();
  return { id: row.id, token, expiresAt };
}

/** Logout: the session ends at once, on every API server (they read it from the database). */
export async function endSession(db: Db, actor: Actor, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
  await audit(db, actor, { action: 'session.delete', targetType: 'session', targetId: sessionId });
}
