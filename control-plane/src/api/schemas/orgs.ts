// Schemas of organisations, members, invitations and plans.
import { Type } from 'typebox';
import { Timestamp, Uuid } from './common.js';

export const Role = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('developer'), Type.Literal('viewer')]);
export const Quotas = Type.Object({ sites: Type.Integer(), replicas: Type.Integer(), memoryMb: Type.Integer(), databaseMb: Type.Integer(), mediaMb: Type.Integer() });
export const QuotaOverrides = Type.Object({
  sites: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  replicas: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  memoryMb: Type.Optional(Type.Integer({ minimum: 0, maximum: 1048576 })),
  databaseMb: Type.Optional(Type.Integer({ minimum: 0, maximum: 10485760 })),
  mediaMb: Type.Optional(Type.Integer({ minimum: 0, maximum: 10485760 })),
}, { additionalProperties: false });

export const OrgOut = Type.Object({
  id: Uuid,
  name: Type.String(),
  plan: Type.String(),
  personal: Type.Boolean(),
  quotas: Quotas,
  role: Type.Optional(Role),
  createdAt: Timestamp,
});

export const MemberOut = Type.Object({ accountId: Uuid, email: Type.String(), name: Type.String(), role: Role, since: Timestamp });
export const InvitationOut = Type.Object({ id: Uuid, email: Type.String(), role: Role, createdAt: Timestamp, expiresAt: Timestamp });

export const PlanOut = Type.Object({ name: Type.String(), title: Type.String(), quotas: Type.Record(Type.String(), Type.Integer()) });
