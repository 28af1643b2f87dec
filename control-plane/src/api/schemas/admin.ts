// Schemas of the operators' admin API.
import { Type } from 'typebox';
import { Timestamp, Uuid } from './common.js';
import { OrgOut, Quotas } from './orgs.js';

export const AdminOrg = Type.Intersect([OrgOut, Type.Object({ members: Type.Integer(), sites: Type.Integer() })]);
export const AuditEvent = Type.Object({
  id: Type.Integer(), at: Timestamp, actorId: Type.Union([Uuid, Type.Null()]), actor: Type.String(), tokenId: Type.Union([Uuid, Type.Null()]),
  action: Type.String(), targetType: Type.String(), targetId: Type.Union([Type.String(), Type.Null()]), orgId: Type.Union([Uuid, Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]), details: Type.Record(Type.String(), Type.Unknown()),
  org: Type.Union([Type.String(), Type.Null()], { description: "The organisation's name" }),
  targetName: Type.Union([Type.String(), Type.Null()], { description: "The target's name: a site's or organisation's name, an account's or invitation's email, a token's name" }),
});

/** An admin route's site: its id or its name. */
export const SiteRef = Type.Object({ id: Type.String({ minLength: 1, maxLength: 63, description: "The site's id (UUID) or its name" }) });

export const OrgPlanOut = Type.Object({ id: Uuid, name: Type.String(), plan: Type.String(), quotas: Quotas, overrides: Type.Record(Type.String(), Type.Integer()) });

export const SiteUsageOut = Type.Object({
  siteId: Uuid, replicas: Type.Integer(), memoryMb: Type.Integer(), databaseBytes: Type.Integer(), databaseConnections: Type.Integer(), cacheKeys: Type.Integer(),
  quotas: Quotas, overQuota: Type.Array(Type.String()),
  placement: Type.Record(Type.String(), Type.String()),
});
