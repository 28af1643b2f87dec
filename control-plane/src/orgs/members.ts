// An organisation's members and their roles. Admins manage non-owners; only owners touch owners;
// an organisation always keeps one owner.
import { errors } from '../errors.js';
import { audit, type Actor } from '../audit/audit.js';
import type { Db } from '../store/db.js';
import type { Role } from '../store/schema.js';
import type { OrgAccess } from './access.js';
import { needs } from './roles.js';

export interface Member {
  id: string;
  email: string;
  name: string;
  role: Role;
  created_at: Date;
}

/** The members, oldest first. */
export async function listMembers(db: Db, orgId: string): Promise<Member[]> {
  return db.selectFrom('memberships').innerJoin('accounts', 'accounts.id', 'memberships.account_id')
    .select(['accounts.id', 'accounts.email', 'accounts.name', 'memberships.role', 'memberships.created_at'])
    .where('memberships.org_id', '=', orgId).orderBy('memberships.created_at').execute();
}

/** Changes (newRole) or removes (null) a member under the organisation's member rows' locks; the role it had. */
async function memberChange(db: Db, access: OrgAccess, target: string, newRole: Role | null): Promise<Role> {
  return db.transaction().execute(async (trx) => {
    const members = await trx.selectFrom('memberships').select(['account_id', 'role']).where('org_id', '=', access.org.id).forUpdate().execute();
    const member = members.find((m) => m.account_id === target);
    if (!member) throw errors.memberNotFound();
    if ((member.role === 'owner' || newRole === 'owner') && access.role !== 'owner') throw errors.forbiddenRole(needs.manageOwners);
    if (member.role === 'owner' && newRole !== 'owner' && members.filter((m) => m.role === 'owner').length === 1) throw errors.lastOwner();
    if (newRole) await trx.updateTable('memberships').set({ role: newRole }).where('org_id', '=', access.org.id).where('account_id', '=', target).execute();
    else await trx.deleteFrom('memberships').where('org_id', '=', access.org.id).where('account_id', '=', target).execute();
    return member.role;
  });
}

export async function changeMemberRole(db: Db, actor: Actor, access: OrgAccess, accountId: string, role: Role): Promise<void> {
  const before = await memberChange(db, access, accountId, role);
  await audit(db, actor, { action: 'membership.update', targetType: 'membership', targetId: accountId, orgId: access.org.id, details: { from: before, to: role } });
}

export async function removeMember(db: Db, actor: Actor, access: OrgAccess, accountId: string): Promise<void> {
  const before = await memberChange(db, access, accountId, null);
  await audit(db, actor, { action: 'membership.delete', targetType: 'membership', targetId: accountId, orgId: access.org.id, details: { role: before } });
}
