// Accounts over HTTP: signup, login, logout, who am I, password reset by email.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { accountOverview, logIn, signUp, type SessionMeta } from '../accounts/accounts.js';
import { endSession, type NewSession } from '../accounts/sessions.js';
import { resetPassword, sendPasswordReset } from '../accounts/password-reset.js';
import { SESSION_COOKIE } from './authenticate.js';
import { authRateLimit } from './rate-limit.js';
import { Email, errorResponses, Password } from './schemas/common.js';
import { AuthOut, MeOut, SignupOut } from './schemas/auth.js';

export const authPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.platform;
  const secureCookie = config.env === 'production';

  function giveSession(reply: FastifyReply, session: NewSession) {
    void reply.setCookie(SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'strict', secure: secureCookie, path: '/', expires: session.expiresAt });
    return { token: session.token, expiresAt: session.expiresAt.toISOString() };
  }
  const meta = (request: FastifyRequest): SessionMeta => ({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null });

  app.post('/v1/auth/signup', {
    config: { auth: false, ...authRateLimit(app) },
    schema: {
      tags: ['auth'], summary: 'Create an account (and its personal organisation) and log in',
      body: Type.Object({ email: Email, password: Password, name: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }),
      response: { 201: SignupOut, ...errorResponses },
    },
  }, async (request, reply) => {
    const created = await signUp(app.platform, { email: request.body.email, password: request.body.password, name: request.body.name ?? '' }, meta(request));
    return reply.status(201).send({
      account: { id: created.account.id, email: created.account.email, name: created.account.name, operator: created.account.is_operator },
      organisation: { id: created.orgId, name: created.orgName },
      session: giveSession(reply, created.session),
    });
  });

  app.post('/v1/auth/login', {
    config: { auth: false, ...authRateLimit(app) },
    schema: {
      tags: ['auth'], summary: 'Log in with email and password',
      body: Type.Object({ email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 256 }) }, { additionalProperties: false }),
      response: { 200: AuthOut, ...errorResponses },
    },
  }, async (request, reply) => {
    const { account, session } = await logIn(app.platform, request.body.email, request.body.password, meta(request));
    return { account: { id: account.id, email: account.email, name: account.name, operator: account.is_operator }, session: giveSession(reply, session) };
  });

  app.post('/v1/auth/logout', {
    config: { auth: { scope: 'read' } },
    schema: { tags: ['auth'], summary: 'End this session', response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    const { auth } = request;
    if (auth.kind === 'session') await endSession(db, auth.actor, auth.credentialId);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send(null);
  });

  app.get('/v1/auth/me', {
    config: { auth: { scope: 'read' } },
    schema: {
      tags: ['auth'], summary: 'The account calling, and its organisations',
      response: { 200: MeOut, ...errorResponses },
    },
  }, async (request) => {
    const { auth } = request;
    const { account, organisations } = await accountOverview(db, auth.accountId);
    return { account: { id: account.id, email: account.email, name: account.name, operator: account.is_operator }, organisations, credential: { kind: auth.kind, scopes: [...auth.scopes] } };
  });

  app.post('/v1/auth/password-reset', {
    config: { auth: false, ...authRateLimit(app) },
    schema: {
      tags: ['auth'], summary: 'Email a password reset link (answers 202 whether or not the account exists)',
      body: Type.Object({ email: Email }, { additionalProperties: false }),
      response: { 202: Type.Object({ status: Type.Literal('sent-if-known') }), ...errorResponses },
    },
  }, async (request, reply) => {
    await sendPasswordReset(app.platform, request.body.email);
    return reply.status(202).send({ status: 'sent-if-known' });
  });

  app.post('/v1/auth/password-reset/confirm', {
    config: { auth: false, ...authRateLimit(app) },
    schema: {
      tags: ['auth'], summary: 'Set a new password with the token from the reset link; ends every session and revokes every API token',
      body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 1000 }), password: Password }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errorResponses },
    },
  }, async (request, reply) => {
    await resetPassword(app.platform, request.body.token, request.body.password, request.ip);
    return reply.status(204).send(null);
  });
};

