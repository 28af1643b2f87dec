// Organisations over HTTP: list and create, members and their roles, invitations.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errors } from '../errors.js';
import { audit } from '../audit/audit.js';
import type { OrgAccess } from '../orgs/access.js';
import { quotasOf } from '../orgs/plans.js';
import { atLeast, needs } from '../orgs/roles.js';
import { hashToken, newToken } from '../accounts/tokens.js';
import type { Role as RoleName } from '../store/schema.js';
import { DnsLabel, Email, errorResponses, Uuid } from './schemas.js';
import { InvitationOut, MemberOut, OrgOut, Role } from './org-schemas.js';

const INVITATION_TTL_MS = 7 * 24 * 3600_000;
const OrgParams = Type.Object({ org: DnsLabel });

function orgOut(o: { id: string; name: string; plan: string; personal: boolean; quota_overrides: Record<string, number>; created_at: Date }, role?: RoleName) {
  return { id: o.id, name: o.name, plan: o.plan, personal: o.personal, quotas: quotasOf(o.plan, o.quota_overrides), createdAt: o.created_at.toISOString(), ...(role ? { role } : {}) };
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === '23505';
}

export const orgsPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config, mailer } = app.platform;
  const tags = ['organisations'];

  app.get('/v1/orgs', {
    config: { auth: { scope: 'read' } },
    schema: { tags, summary: 'Organisations you belong to', response: { 200: Type.Object({ organisations: Type.Array(OrgOut) }), ...errorResponses } },
  }, async (request) => {
    const { auth } = request;
    const rows = await db.selectFrom('organisations').innerJoin('memberships', 'memberships.org_id', 'organisations.id')
      .selectAll('organisations').select('memberships.role').where('memberships.account_id', '=', auth.accountId).orderBy('organisations.name').execute();
    return { organisations: rows.map((r) => orgOut(r, r.role)) };
  });

  app.post('/v1/orgs', {
    config: { auth: { scope: 'write' } },
    schema: {
      tags, summary: 'Create an organisation; you become its owner',
      body: Type.Object({ name: DnsLabel }, { additionalProperties: false }),
      response: { 201: OrgOut, ...errorResponses },
    },
  }, async (request, reply) => {
    const { auth } = request;
    try {
      const org = await db.transaction().execute(async (trx) => {
        const o = await trx.insertInto('organisations').values({ name: request.body.name, quota_overrides: '{}' }).returningAll().executeTakeFirstOrThrow();
        await trx.insertInto('memberships').values({ org_id: o.id, account_id: auth.accountId, role: 'owner' }).execute();
        await audit(trx, auth.actor, { action: 'organisation.create', targetType: 'organisation', targetId: o.id, orgId: o.id, details: { name: o.name } });
        return o;
      });
      return reply.status(201).send(orgOut(org, 'owner'));
    } catch (e) {
      if (isUniqueViolation(e)) throw errors.orgNameTaken(request.body.name);
      throw e;
    }
  });

  app.get('/v1/orgs/:org', {
    config: { auth: { scope: 'read', org: 'read' } },
    schema: { tags, summary: 'One organisation, with its plan and quotas', params: OrgParams, response: { 200: OrgOut, ...errorResponses } },
  }, async (request) => {
    const { org, role } = request.orgAccess;
    return orgOut(org, role);
  });

  app.get('/v1/orgs/:org/members', {
    config: { auth: { scope: 'read', org: 'read' } },
    schema: { tags, summary: 'Members and their roles', params: OrgParams, response: { 200: Type.Object({ members: Type.Array(MemberOut) }), ...errorResponses } },
  }, async (request) => {
    const { org } = request.orgAccess;
    const rows = await db.selectFrom('memberships').innerJoin('accounts', 'accounts.id', 'memberships.account_id')
      .select(['accounts.id', 'accounts.email', 'accounts.name', 'memberships.role', 'memberships.created_at'])
      .where('memberships.org_id', '=', org.id).orderBy('memberships.created_at').execute();
    return { members: rows.map((r) => ({ accountId: r.id, email: r.email, name: r.name, role: r.role, since: r.created_at.toISOString() })) };
  });

  /** Changing or removing a member: admins manage non-owners; only owners touch owners; one owner stays. */
  async function memberChange(access: OrgAccess, target: string, newRole: RoleName | null) {
    return db.transaction().execute(async (trx) => {
      const members = await trx.selectFrom('memberships').select(['account_id', 'role']).where('org_id', '=', access.org.id).forUpdate().execute();
      const member = members.find((m) => m.account_id === target);
      if (!member) throw errors.memberNotFound();
      if ((member.role === 'owner' || newRole === 'owner') && access.role !== 'owner') throw errors.forbiddenRole(needs.manageOwners);
      if (member.role === 'owner' && newRole !== 'owner' && members.filter((m) => m.role === 'owner').length === 1) throw errors.lastOwner();
      if (newRole) await trx.updateTable('memberships').set({ role: newRole }).where('org_id', '=', access.org.id).where('account_id', '=', target).execute();
      else await trx.deleteFrom('memberships').where('org_id', '=', access.org.id).where('account_id', '=', target).execute();
      return { org: access.org, before: member.role };
    });
  }

  app.patch('/v1/orgs/:org/members/:accountId', {
    config: { auth: { scope: 'write', org: 'manageMembers' } },
    schema: {
      tags, summary: "Change a member's role",
      params: Type.Object({ org: DnsLabel, accountId: Uuid }),
      body: Type.Object({ role: Role }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errorResponses },
    },
  }, async (request, reply) => {
    const { auth } = request;
    const { org, before } = await memberChange(request.orgAccess, request.params.accountId, request.body.role);
    await audit(db, auth.actor, { action: 'membership.update', targetType: 'membership', targetId: request.params.accountId, orgId: org.id, details: { from: before, to: request.body.role } });
    return reply.status(204).send(null);
  });

  app.delete('/v1/orgs/:org/members/:accountId', {
    config: { auth: { scope: 'write', org: 'manageMembers' } },
    schema: { tags, summary: 'Remove a member', params: Type.Object({ org: DnsLabel, accountId: Uuid }), response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    const { auth } = request;
    const { org, before } = await memberChange(request.orgAccess, request.params.accountId, null);
    await audit(db, auth.actor, { action: 'membership.delete', targetType: 'membership', targetId: request.params.accountId, orgId: org.id, details: { role: before } });
    return reply.status(204).send(null);
  });

  app.post('/v1/orgs/:org/invitations', {
    config: { auth: { scope: 'write', org: 'manageMembers' } },
    schema: {
      tags, summary: 'Invite someone by email; the link is mailed to them', params: OrgParams,
      body: Type.Object({ email: Email, role: Role }, { additionalProperties: false }),
      response: { 201: InvitationOut, ...errorResponses },
    },
  }, async (request, reply) => {
    const { auth } = request;
    const access = request.orgAccess;
    if (request.body.role === 'owner' && !atLeast(access.role, needs.manageOwners)) throw errors.forbiddenRole(needs.manageOwners);
    const { token, hash } = newToken('pdi_');
    const email = request.body.email.toLowerCase();
    const inv = await db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('invitations').values({ org_id: access.org.id, email, role: request.body.role, token_hash: hash, invited_by: auth.accountId, expires_at: new Date(Date.now() + INVITATION_TTL_MS) })
        .returningAll().executeTakeFirstOrThrow();
      await audit(trx, auth.actor, { action: 'invitation.create', targetType: 'invitation', targetId: row.id, orgId: access.org.id, details: { email, role: row.role } });
      return row;
    });
    const link = `${config.publicUrl}/invitations/accept?token=${token}`;
    await mailer.send({ to: email, subject: `You are invited to ${access.org.name} on Paddock`, text: `${auth.email} invited you to the organisation "${access.org.name}" on Paddock as ${inv.role}.\n\nAccept within 7 days:\n${link}\n` });
    return reply.status(201).send({ id: inv.id, email: inv.email, role: inv.role, createdAt: inv.created_at.toISOString(), expiresAt: inv.expires_at.toISOString() });
  });

  app.get('/v1/orgs/:org/invitations', {
    config: { auth: { scope: 'read', org: 'manageMembers' } },
    schema: { tags, summary: 'Pending invitations', params: OrgParams, response: { 200: Type.Object({ invitations: Type.Array(InvitationOut) }), ...errorResponses } },
  }, async (request) => {
    const { org } = request.orgAccess;
    const rows = await db.selectFrom('invitations').selectAll().where('org_id', '=', org.id)
      .where('accepted_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '>', new Date()).orderBy('created_at').execute();
    return { invitations: rows.map((r) => ({ id: r.id, email: r.email, role: r.role, createdAt: r.created_at.toISOString(), expiresAt: r.expires_at.toISOString() })) };
  });

  app.delete('/v1/orgs/:org/invitations/:id', {
    config: { auth: { scope: 'write', org: 'manageMembers' } },
    schema: { tags, summary: 'Withdraw an invitation', params: Type.Object({ org: DnsLabel, id: Uuid }), response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    const { org } = request.orgAccess;
    const res = await db.updateTable('invitations').set({ revoked_at: new Date() })
      .where('id', '=', request.params.id).where('org_id', '=', org.id).where('accepted_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst();
    if (res.numUpdatedRows === 0n) throw errors.invitationNotFound();
    await audit(db, request.auth.actor, { action: 'invitation.revoke', targetType: 'invitation', targetId: request.params.id, orgId: org.id });
    return reply.status(204).send(null);
  });

  app.post('/v1/invitations/accept', {
    config: { auth: { scope: 'write' } },
    schema: {
      tags, summary: 'Accept an invitation sent to your email',
      body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
      response: { 200: OrgOut, ...errorResponses },
    },
  }, async (request) => {
    const { auth } = request;
    const result = await db.transaction().execute(async (trx) => {
      const inv = await trx.selectFrom('invitations').selectAll().where('token_hash', '=', hashToken(request.body.token)).forUpdate().executeTakeFirst();
      if (!inv || inv.accepted_at || inv.revoked_at || inv.expires_at <= new Date() || inv.email !== auth.email) throw errors.invitationInvalid();
      const inserted = await trx.insertInto('memberships').values({ org_id: inv.org_id, account_id: auth.accountId, role: inv.role })
        .onConflict((oc) => oc.doNothing()).returning('role').executeTakeFirst();
      if (!inserted) throw errors.alreadyMember();
      await trx.updateTable('invitations').set({ accepted_at: new Date() }).where('id', '=', inv.id).execute();
      await audit(trx, auth.actor, { action: 'invitation.accept', targetType: 'invitation', targetId: inv.id, orgId: inv.org_id, details: { role: inv.role } });
      const org = await trx.selectFrom('organisations').selectAll().where('id', '=', inv.org_id).executeTakeFirstOrThrow();
      return { org, role: inv.role };
    });
    return orgOut(result.org, result.role);
  });
};
