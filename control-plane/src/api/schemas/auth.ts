// Schemas of accounts and sessions.
import { Type } from 'typebox';
import { Timestamp, Uuid } from './common.js';
import { Role } from './orgs.js';

export const AccountOut = Type.Object({ id: Uuid, email: Type.String(), name: Type.String(), operator: Type.Boolean() });
export const SessionOut = Type.Object({ token: Type.String({ description: 'Send as `Authorization: Bearer <token>`; shown once.' }), expiresAt: Timestamp });
export const AuthOut = Type.Object({ account: AccountOut, session: SessionOut });

export const MeOut = Type.Object({ account: AccountOut, organisations: Type.Array(Type.Object({ id: Uuid, name: Type.String(), role: Role })), credential: Type.Object({ kind: Type.String(), scopes: Type.Array(Type.String()) }) });
export const SignupOut = Type.Intersect([AuthOut, Type.Object({ organisation: Type.Object({ id: Uuid, name: Type.String() }) })]);
