// Schemas of a site's custom domains.
import { Type } from 'typebox';

export const Hostname = Type.String({ pattern: '^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$', maxLength: 253 });
export const DomainOut = Type.Object({
  hostname: Type.String(),
  verified: Type.Boolean(),
  status: Type.String(),
  verification: Type.Union([Type.Object({ type: Type.String(), name: Type.String(), value: Type.String() }), Type.Null()]),
});

