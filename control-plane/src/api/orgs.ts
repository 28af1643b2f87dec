// Organisations over HTTP: list and create, members and their roles, invitations.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { quotasOf } from '../orgs/plans.js';
import { createOrg, memberOrgs } from '../orgs/orgs.js';
import { changeMemberRole, listMembers, removeMember } from '../orgs/members.js';
import { acceptInvitation, invite, pendingInvitations, revokeInvitation } from '../orgs/invitations.js';
import type { Invitation, Role as RoleName } from '../store/schema.js';
import { DnsLabel, Email, errorResponses, Uuid } from './schemas/common.js';
import { InvitationOut, MemberOut, OrgOut, Role } from './schemas/orgs.js';

const OrgParams = Type.Object({ org: DnsLabel });

function orgOut(o: { id: string; name: string; plan: string; personal: boolean; quota_overrides: Record<string, number>; created_at: Date }, role?: RoleName) {
  return { id: o.id, name: o.name, plan: o.plan, personal: o.personal, quotas: quotasOf(o.plan, o.quota_overrides), createdAt: o.created_at.toISOString(), ...(role ? { role } : {}) };
}

function invitationOut(i: Invitation) {
  return { id: i.id, email: i.email, role: i.role, createdAt: i.created_at.toISOString(), expiresAt: i.expires_at.toISOString() };
}

export const orgsPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app.platform;
  const tags = ['organisations'];

  app.get('/v1/orgs', {
    config: { auth: { scope: 'read' } },
    schema: { tags, summary: 'Organisations you belong to', response: { 200: Type.Object({ organisations: Type.Array(OrgOut) }), ...errorResponses } },
  }, async (request) => {
    return { organisations: (await memberOrgs(db, request.auth.accountId)).map((r) => orgOut(r, r.role)) };
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
    const org = await createOrg(db, auth.actor, auth.accountId, request.body.name);
    return reply.status(201).send(orgOut(org, 'owner'));
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
    const rows = await listMembers(db, request.orgAccess.org.id);
    return { members: rows.map((r) => ({ accountId: r.id, email: r.email, name: r.name, role: r.role, since: r.created_at.toISOString() })) };
  });

  app.patch('/v1/orgs/:org/members/:accountId', {
    config: { auth: { scope: 'write', org: 'manageMembers' } },
    schema: {
      tags, summary: "Change a member's role",
      params: Type.Object({ org: DnsLabel, accountId: Uuid }),
      body: Type.Object({ role: Role }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errorResponses },
    },
  }, async (request, reply) => {
    await changeMemberRole(db, request.auth.actor, request.orgAccess, request.params.accountId, request.body.role);
    return reply.status(204).send(null);
  });

  app.delete('/v1/orgs/:org/members/:accountId', {
    config: { auth: { scope: 'write', org: 'manageMembers' } },
    schema: { tags, summary: 'Remove a member', params: Type.Object({ org: DnsLabel, accountId: Uuid }), response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await removeMember(db, request.auth.actor, request.orgAccess, request.params.accountId);
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
    const inv = await invite(app.platform, request.auth, request.orgAccess, request.body);
    return reply.status(201).send(invitationOut(inv));
  });

  app.get('/v1/orgs/:org/invitations', {
    config: { auth: { scope: 'read', org: 'manageMembers' } },
    schema: { tags, summary: 'Pending invitations', params: OrgParams, response: { 200: Type.Object({ invitations: Type.Array(InvitationOut) }), ...errorResponses } },
  }, async (request) => {
    return { invitations: (await pendingInvitations(db, request.orgAccess.org.id)).map(invitationOut) };
  });

  app.delete('/v1/orgs/:org/invitations/:id', {
    config: { auth: { scope: 'write', org: 'manageMembers' } },
    schema: { tags, summary: 'Withdraw an invitation', params: Type.Object({ org: DnsLabel, id: Uuid }), response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await revokeInvitation(db, request.auth.actor, request.orgAccess.org.id, request.params.id);
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
    const result = await acceptInvitation(db, request.auth, request.body.token);
    return orgOut(result.org, result.role);
  });
};
