// Schemas of API tokens.
import { Type } from 'typebox';
import { Timestamp, Uuid } from './common.js';

export const Scope = Type.Union([Type.Literal('read'), Type.Literal('secrets'), Type.Literal('write'), Type.Literal('admin')]);
export const TokenOut = Type.Object({
  id: Uuid,
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the token, to recognise it' }),
  scopes: Type.Array(Type.String()),
  createdAt: Timestamp,
  expiresAt: Type.Union([Timestamp, Type.Null()]),
  lastUsedAt: Type.Union([Timestamp, Type.Null()]),
  revokedAt: Type.Union([Timestamp, Type.Null()]),
});

