// Who is calling: the session cookie or `Authorization: Bearer` (a session token or an API
// token), resolved to an account and the scopes it holds (accounts/identify.ts).
// Routes do not call it: each declares who may call it (route-auth.ts), which calls this once.
import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import type { Actor } from '../audit/audit.js';
import { identifyCredential, type Credential } from '../accounts/identify.js';

export const SESSION_COOKIE = 'paddock_session';

export interface Auth extends Credential {
  actor: Actor;
}

function presented(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m?.[1];
  }
  const cookies = (request as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies;
  return cookies?.[SESSION_COOKIE];
}

/** The caller's account and scopes; undefined without a valid credential. */
export async function identify(request: FastifyRequest): Promise<Auth | undefined> {
  const token = presented(request);
  if (!token) return undefined;
  const who = await identifyCredential(request.server.platform.db, token);
  if (!who) return undefined;
  return { ...who, actor: { accountId: who.accountId, label: who.email, ...(who.kind === 'token' ? { tokenId: who.credentialId } : {}), ip: request.ip } };
}
