// Schemas of a site's custom domains.
import { Type } from 'typebox';

export const Hostname = Type.String({ pattern: '^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$', maxLength: 253 });
export const DomainOut = Type.Object({
  hostname: Type.String(),
  verified: Type.Boolean(),
  status: Type.String(),
  verification: Type.Union([Type.Object({ type: Type.String(), name: Type.String(), value: Type.String() }), Type.Null()]),
  certificate: Type.Union([Type.Object({
    state: Type.Union([Type.Literal('pending'), Type.Literal('issued'), Type.Literal('renewing'), Type.Literal('failed')]),
    expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()], { description: 'why the last issuance failed' }),
    retryAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'when a failed issuance is tried again' }),
  }), Type.Null()], { description: 'the HTTPS certificate: null until one is asked for' }),
});

