// Accounts over HTTP: signup, login, logout, who am I, password reset by email.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errors } from '../errors.js';
import { audit } from '../audit/audit.js';
import { checkLogin, createAccount } from '../accounts/accounts.js';
import { createSession, type NewSession } from '../accounts/sessions.js';
import { checkResetToken, resetToken } from '../accounts/password-reset.js';
import { hashPassword } from '../accounts/password.js';
import { SESSION_COOKIE } from './authenticate.js';
import { authRateLimit } from './rate-limit.js';
import { Email, errorResponses, Password, Timestamp, Uuid } from './schemas.js';
import { Role } from './org-schemas.js';

const AccountOut = Type.Object({ id: Uuid, email: Type.String(), name: Type.String(), operator: Type.Boolean() });
const SessionOut = Type.Object({ token: Type.String({ description: 'Send as `Authorization: Bearer <token>`; shown once.' }), expiresAt: Timestamp });
const AuthOut = Type.Object({ account: AccountOut, session: SessionOut });

export const authPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config, mailer } = app.platform;
  const secureCookie = config.env === 'production';

  function giveSession(reply: FastifyReply, session: NewSession) {
    void reply.setCookie(SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'strict', secure: secureCookie, path: '/', expires: session.expiresAt });
    return { token: session.token, expiresAt: session.expiresAt.toISOString() };
  }

  app.post('/v1/auth/signup', {
    config: { auth: false, ...authRateLimit(app) },
    schema: {
      tags: ['auth'], summary: 'Create an account (and its personal organisation) and log in',
      body: Type.Object({ email: Email, password: Password, name: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }),
      response: { 201: Type.Intersect([AuthOut, Type.Object({ organisation: Type.Object({ id: Uuid, name: Type.String() }) })]), ...errorResponses },
    },
  }, async (request, reply) => {
    const created = await createAccount(app.platform, { email: request.body.email, password: request.body.password, name: request.body.name ?? '' }, { ip: request.ip });
    if (!created) throw errors.emailTaken();
    const session = await createSession(db, created.account.id, config.sessionTtlHours, { ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
    return reply.status(201).send({
      account: { id: created.account.id, email: created.account.email, name: created.account.name, operator: created.account.is_operator },
      organisation: { id: created.orgId, name: created.orgName },
      session: giveSession(reply, session),
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
    const account = await checkLogin(app.platform, request.body.email, request.body.password);
    if (!account) throw errors.badCredentials();
    if (account.status !== 'active') throw errors.accountSuspended();
    const session = await createSession(db, account.id, config.sessionTtlHours, { ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
    await audit(db, { accountId: account.id, label: account.email, ip: request.ip }, { action: 'session.create', targetType: 'session', targetId: session.id });
    return { account: { id: account.id, email: account.email, name: account.name, operator: account.is_operator }, session: giveSession(reply, session) };
  });

  app.post('/v1/auth/logout', {
    config: { auth: { scope: 'read' } },
    schema: { tags: ['auth'], summary: 'End this session', response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    const { auth } = request;
    if (auth.kind === 'session') {
      await db.deleteFrom('sessions').where('id', '=', auth.credentialId).execute();
      await audit(db, auth.actor, { action: 'session.delete', targetType: 'session', targetId: auth.credentialId });
    }
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send(null);
  });

  app.get('/v1/auth/me', {
    config: { auth: { scope: 'read' } },
    schema: {
      tags: ['auth'], summary: 'The account calling, and its organisations',
      response: { 200: Type.Object({ account: AccountOut, organisations: Type.Array(Type.Object({ id: Uuid, name: Type.String(), role: Role })), credential: Type.Object({ kind: Type.String(), scopes: Type.Array(Type.String()) }) }), ...errorResponses },
    },
  }, async (request) => {
    const { auth } = request;
    const account = await db.selectFrom('accounts').select(['id', 'email', 'name', 'is_operator']).where('id', '=', auth.accountId).executeTakeFirstOrThrow();
    const orgs = await db.selectFrom('memberships').innerJoin('organisations', 'organisations.id', 'memberships.org_id')
      .select(['organisations.id', 'organisations.name', 'memberships.role']).where('memberships.account_id', '=', auth.accountId).orderBy('organisations.name').execute();
    return { account: { id: account.id, email: account.email, name: account.name, operator: account.is_operator }, organisations: orgs, credential: { kind: auth.kind, scopes: [...auth.scopes] } };
  });

  app.post('/v1/auth/password-reset', {
    config: { auth: false, ...authRateLimit(app) },
    schema: {
      tags: ['auth'], summary: 'Email a password reset link (answers 202 whether or not the account exists)',
      body: Type.Object({ email: Email }, { additionalProperties: false }),
      response: { 202: Type.Object({ status: Type.Literal('sent-if-known') }), ...errorResponses },
    },
  }, async (request, reply) => {
    const account = await db.selectFrom('accounts').select(['id', 'email', 'password_hash']).where('email', '=', request.body.email.toLowerCase()).executeTakeFirst();
    if (account) {
      const link = `${config.publicUrl}/reset-password?token=${encodeURIComponent(resetToken(app.platform, account))}`;
      await mailer.send({ to: account.email, subject: 'Reset your Paddock password', text: `Someone asked to reset the password of your Paddock account.\n\nTo choose a new one, open this link within an hour:\n${link}\n\nIf it was not you, ignore this message.` });
    }
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
    const account = await checkResetToken(app.platform, request.body.token);
    if (!account) throw errors.resetTokenInvalid();
    const hash = await hashPassword(request.body.password, config.passwordCost);
    const changed = await db.transaction().execute(async (trx) => {
      const res = await trx.updateTable('accounts').set({ password_hash: hash, updated_at: new Date() })
        .where('id', '=', account.id).where('password_hash', '=', account.password_hash).executeTakeFirst();
      if (res.numUpdatedRows === 0n) return false;
      await trx.deleteFrom('sessions').where('account_id', '=', account.id).execute();
      // Whoever forced the reset may hold a token too: it must not outlive the old password.
      await trx.updateTable('api_tokens').set({ revoked_at: new Date() }).where('account_id', '=', account.id).where('revoked_at', 'is', null).execute();
      await audit(trx, { accountId: account.id, label: 'password-reset', ip: request.ip }, { action: 'account.password_reset', targetType: 'account', targetId: account.id });
      return true;
    });
    if (!changed) throw errors.resetTokenInvalid();
    return reply.status(204).send(null);
  });
};

