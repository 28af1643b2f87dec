// Personal API tokens for the CLI and automation: shown once, stored hashed, scoped, revocable,
// with their last use.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { tokenScopes } from '../tokens/credentials.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../tokens/api-tokens.js';
import { errorResponses, Uuid } from './schemas/common.js';
import { Scope, TokenOut } from './schemas/tokens.js';

export const tokensPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app.platform;
  const tags = ['tokens'];

  app.post('/v1/tokens', {
    config: { auth: { scope: 'write', session: true } },
    schema: {
      tags, summary: 'Create an API token (from a session, not another API token); the token is in this answer only',
      body: Type.Object({
        name: Type.String({ minLength: 1, maxLength: 100 }),
        scopes: Type.Array(Scope, {
          minItems: 1, maxItems: tokenScopes.length, uniqueItems: true,
          description: 'read: everything but secrets; secrets: read, plus env var values and revealed database and cache passwords; '
            + 'write: every change (deploy, configure, run commands), and secrets and read; admin: the admin API (operators only). '
            + 'Each route says the scope it needs.',
        }),
        expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
      }, { additionalProperties: false }),
      response: { 201: Type.Intersect([TokenOut, Type.Object({ token: Type.String() })]), ...errorResponses },
    },
  }, async (request, reply) => {
    // Only a session mints tokens (the route declares it; the CLI logs in with a session and swaps it for a token).
    const { row, token } = await createApiToken(db, request.auth, request.body);
    return reply.status(201).send({ ...tokenOut(row), token });
  });

  app.get('/v1/tokens', {
    config: { auth: { scope: 'read' } },
    schema: { tags, summary: 'Your API tokens (never the tokens themselves)', response: { 200: Type.Object({ tokens: Type.Array(TokenOut) }), ...errorResponses } },
  }, async (request) => {
    return { tokens: (await listApiTokens(db, request.auth.accountId)).map(tokenOut) };
  });

  app.delete('/v1/tokens/:id', {
    config: { auth: { scope: 'write' } },
    schema: { tags, summary: 'Revoke an API token', params: Type.Object({ id: Uuid }), response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    const { auth } = request;
    await revokeApiToken(db, auth.accountId, auth.actor, request.params.id);
    return reply.status(204).send(null);
  });
};

function tokenOut(r: { id: string; name: string; prefix: string; scopes: string[]; created_at: Date; expires_at: Date | null; last_used_at: Date | null; revoked_at: Date | null }) {
  return {
    id: r.id, name: r.name, prefix: r.prefix, scopes: r.scopes, createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at?.toISOString() ?? null, lastUsedAt: r.last_used_at?.toISOString() ?? null, revokedAt: r.revoked_at?.toISOString() ?? null,
  };
}
