// An authenticated page: every request looks up the session (database backend) and its user, then renders a
// greeting through the full middleware stack (security, CSRF, sessions, messages, auth). Baseline: raw node:http.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Context, Scenario } from '../harness/index.mjs';
import {
  defaultMiddleware, defineSite, logger, path, Response, Site, type Request, closeDatabases, configureDatabases, migrate,
} from '@paddock/runtime';
import { createServer } from '@paddock/runtime/host';
import {
  authApp, authMiddleware, currentUser, loginRequired, PBKDF2PasswordHasher, sessionAuthHash, User,
} from '@paddock/runtime/contrib/auth';
import { DatabaseSessionStore, Session, sessionMiddleware, sessionsApp } from '@paddock/runtime/contrib/sessions';
import { messagesMiddleware } from '@paddock/runtime/contrib/messages';

const SECRET = 'bench-secret-key-bench-secret-key-bench-secret-key-0123';

const scenario: Scenario = {
  name: 'batteries-auth-page',
  description: 'a loginRequired page (DB session lookup + user, full middleware) vs raw node:http hello',
  // No target: the batteries issue asks for this ratio, not a figure. Every request makes two Postgres
  // round trips (session, user) on the same two cores as the load generator and Postgres itself.
  async run(ctx: Context) {
    logger.level = 'warn';
    const adminUrl = process.env.PADDOCK_PG_ADMIN_URL;
    if (!adminUrl) throw new Error('PADDOCK_PG_ADMIN_URL is unset: run `npm run stack` and load ~/.local/state/paddock/stack.env before npm run bench.');
    const dbName = `pdk_bench_auth_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database "${dbName}"`);
    ctx.defer(async () => {
      await admin.query(`drop database if exists "${dbName}" with (force)`);
      await admin.end();
    });
    const url = new URL(adminUrl);
    url.pathname = `/${dbName}`;
    await configureDatabases({ default: { url: url.toString(), max: 16 } });
    ctx.defer(() => closeDatabases());
    await migrate({ apps: [authApp, sessionsApp] });

    const user = await User.objects.create({ username: 'bench', password: await new PBKDF2PasswordHasher({ iterations: 1000 }).encode('x') });
    const store = new DatabaseSessionStore();
    const session = new Session(store, null);
    await session.set('_auth_user_id', user.id);
    await session.set('_auth_user_hash', sessionAuthHash(user, SECRET));
    await session.save();

    const site = new Site(defineSite({
      urls: [path('', loginRequired((req: Request) => new Response(`Hello, ${currentUser(req)?.username}!`)))],
      settings: {
        SECRET_KEY: SECRET, ALLOWED_HOSTS: ['127.0.0.1'],
        MIDDLEWARE: [...defaultMiddleware, sessionMiddleware({ store }), messagesMiddleware(), authMiddleware()],
      },
    }), { dir: process.cwd(), env: {} });
    const server = createServer(site);
    const port = await server.listen(0, '127.0.0.1');
    ctx.defer(() => server.close());
    const appUrl = `http://127.0.0.1:${port}/`;
    const headers = { cookie: `sessionid=${session.sessionKey}` };
    const check = await fetch(appUrl, { headers });
    const text = await check.text();
    if (check.status !== 200 || text !== 'Hello, bench!') throw new Error(`The authenticated page answered ${check.status}: ${text.slice(0, 200)}`);
    const base = await ctx.helloUpstream({ body: 'Hello, bench!' });

    const runs = await ctx.interleave({ base: () => ctx.wrk(base.url), app: () => ctx.wrk(appUrl, { headers }) });
    const b = ctx.medianRun(runs.base);
    const a = ctx.medianRun(runs.app);
    return [{
      subject: 'authenticated page (session + user from Postgres)', baseline: 'node:http hello',
      measured: { 'req/s': Math.round(a.requestsPerSec), 'p99 ms': a.latencyMs.p99, 'baseline req/s': Math.round(b.requestsPerSec), errors: a.errors },
      ratio: a.requestsPerSec / b.requestsPerSec,
    }];
  },
};

export default scenario;
