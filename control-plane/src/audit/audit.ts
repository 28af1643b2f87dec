// The audit log: every state change, who made it (account and token), what it did to what,
// when and from where. Written in the same transaction as the change it records.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export interface Actor {
  accountId: string | null;
  /** Email of the account, or "system" / "operator-bootstrap" for the platform itself. */
  label: string;
  tokenId?: string | null;
  ip?: string | null;
}

export interface AuditEntry {
  action: string;
  targetType: 'account' | 'session' | 'token' | 'organisation' | 'membership' | 'invitation' | 'site' | (string & {});
  targetId?: string | null;
  orgId?: string | null;
  details?: Record<string, unknown>;
}

export const systemActor: Actor = { accountId: null, label: 'system' };

export async function audit(db: Kysely<Database>, actor: Actor, entry: AuditEntry): Promise<void> {
  await db.insertInto('audit_events').values({
    actor_id: actor.accountId,
    actor_label: actor.label,
    token_id: actor.tokenId ?? null,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId ?? null,
    org_id: entry.orgId ?? null,
    ip: actor.ip ?? null,
    details: JSON.stringify(entry.details ?? {}),
  }).execute();
}
