// Invitations to an organisation: mailed as a link, valid 7 days, accepted only by the account with
// the invited email, withdrawable until then. Only owners invite owners.
import { errors } from '../errors.js';
import { audit, type Actor } from '../audit/audit.js';
import type { Platform } from '../platform/platform.js';
import type { Db } from '../store/db.js';
import type { Invitation, Organisation, Role } from '../store/schema.js';
import { hashToken, newToken } from '../tokens/credentials.js';
import type { OrgAccess } from './access.js';
import { atLeast, needs } from './roles.js';

const INVITATION_TTL_MS = 7 * 24 * 3600_000;

/** Who invites or accepts: the calling account. */
export interface Caller {
  accountId: string;
  email: string;
  actor: Actor;
}

/** Records the invitation and mails its link to the invited address. */
export async function invite(platform: Pick<Platform, 'db' | 'config' | 'mailer'>, caller: Caller, access: OrgAccess, input: { email: string; role: Role }): Promise<Invitation> {
  if (input.role === 'owner' && !atLeast(access.role, needs.manageOwners)) throw errors.forbiddenRole(needs.manageOwners);
  const { token, hash } = newToken('pdi_');
  const email = input.email.toLowerCase();
  const inv = await platform.db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('invitations').values({ org_id: access.org.id, email, role: input.role, token_hash: hash, invited_by: caller.accountId, expires_at: new Date(Date.now() + INVITATION_TTL_MS) })
      .returningAll().executeTakeFirstOrThrow();
    await audit(trx, caller.actor, { action: 'invitation.create', targetType: 'invitation', targetId: row.id, orgId: access.org.id, details: { email, role: row.role } });
    return row;
  });
  const link = `${platform.config.publicUrl}/invitations/accept?token=${token}`;
  await platform.mailer.send({ to: email, subject: `You are invited to ${access.org.name} on Paddock`, text: `${caller.email} invited you to the organisation "${access.org.name}" on Paddock as ${inv.role}.\n\nAccept within 7 days:\n${link}\n` });
  return inv;
}

/** Invitations not yet accepted, withdrawn or expired, oldest first. */
export async function pendingInvitations(db: Db, orgId: string): Promise<Invitation[]> {
  return db.selectFrom('invitations').selectAll().where('org_id', '=', orgId)
    .where('accepted_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '>', new Date()).orderBy('created_at').execute();
}

export async function revokeInvitation(db: Db, actor: Actor, orgId: string, id: string): Promise<void> {
  const res = await db.updateTable('invitations').set({ revoked_at: new Date() })
    .where('id', '=', id).where('org_id', '=', orgId).where('accepted_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst();
  if (res.numUpdatedRows === 0n) throw errors.invitationNotFound();
  await audit(db, actor, { action: 'invitation.revoke', targetType: 'invitation', targetId: id, orgId });
}

/** Makes the caller a member with the invited role; the organisation and that role. */
export async function acceptInvitation(db: Db, caller: Caller, token: string): Promise<{ org: Organisation; role: Role }> {
  return db.transaction().execute(async (trx) => {
    const inv = await trx.selectFrom('invitations').selectAll().where('token_hash', '=', hashToken(token)).forUpdate().executeTakeFirst();
    if (!inv || inv.accepted_at || inv.revoked_at || inv.expires_at <= new Date() || inv.email !== caller.email) throw errors.invitationInvalid();
    const inserted = await trx.insertInto('memberships').values({ org_id: inv.org_id, account_id: caller.accountId, role: inv.role })
      .onConflict((oc) => oc.doNothing()).returning('role').executeTakeFirst();
    if (!inserted) throw errors.alreadyMember();
    await trx.updateTable('invitations').set({ accepted_at: new Date() }).where('id', '=', inv.id).execute();
    await audit(trx, caller.actor, { action: 'invitation.accept', targetType: 'invitation', targetId: inv.id, orgId: inv.org_id, details: { role: inv.role } });
    const org = await trx.selectFrom('organisations').selectAll().where('id', '=', inv.org_id).executeTakeFirstOrThrow();
    return { org, role: inv.role };
  });
}
