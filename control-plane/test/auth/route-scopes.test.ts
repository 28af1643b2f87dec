// Token scopes mean what they say, on every route. The routes are found in Fastify's own route
// table (not in the declarations the server checks), each is called with no credential, with an
// API token of each scope, with an operator's session and with a member's session, and each answer
// must be the one its declared access promises: refused with the right code, or let through.
// Then the attack itself: a read-scope token gets 403 on every route that shows a secret, while a
// `secrets` token reads them.
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapOperator } from '../../src/accounts/operator.js';
import { createSession } from '../../src/accounts/sessions.js';
import type { FastifyInstance } from 'fastify';
import type { RouteAuth } from '../../src/api/route-auth.js';
import { buildServer } from '../../src/api/server.js';
import { startTestPlatform, suffix, type TestPlatform } from '../support/platform.js';
import { call, signup, siteName, waitForStatus, type User } from '../support/api.js';

type Scope = 'read' | 'secrets' | 'write' | 'admin';
type Credential = 'none' | Scope | 'operator session' | 'member session';
const credentials: Credential[] = ['none', 'read', 'secrets', 'write', 'admin', 'operator session', 'member session'];

/** Which token scopes may call a route that needs each scope — the promise, written out here on its own. */
const grantedBy: Record<Scope, Scope[]> = {
  read: ['read', 'secrets', 'write'],
  secrets: ['secrets', 'write'],
  write: ['write'],
  admin: ['admin'],
};

/** The codes with which access is refused; any other answer means the route let the caller through. */
const accessCodes = ['PDK_UNAUTHENTICATED', 'PDK_TOKEN_SCOPE', 'PDK_OPERATOR_ONLY', 'PDK_SESSION_REQUIRED', 'PDK_FORBIDDEN_ROLE'];
/** ...and, on a route naming the caller's site or organisation, not finding it (the answer for a stranger). */
const notMineCodes = ['PDK_SITE_NOT_FOUND', 'PDK_ORG_NOT_FOUND'];

type Expected = { allowed: true } | { allowed: false; status: number; code: string; scope?: Scope };

function expected(auth: RouteAuth | false, who: Credential, revealing: boolean): Expected {
  if (auth === false) return { allowed: true };
  if (who === 'none') return { allowed: false, status: 401, code: 'PDK_UNAUTHENTICATED' };
  if (auth.operator && who === 'member session') return { allowed: false, status: 403, code: 'PDK_OPERATOR_ONLY' };
  const token = who === 'operator session' || who === 'member session' ? undefined : who;
  if (token && !grantedBy[auth.scope].includes(token)) return { allowed: false, status: 403, code: 'PDK_TOKEN_SCOPE', scope: auth.scope };
  if (token && auth.session) return { allowed: false, status: 403, code: 'PDK_SESSION_REQUIRED' };
  if (token && revealing && auth.reveal && !grantedBy[auth.reveal.scope].includes(token)) return { allowed: false, status: 403, code: 'PDK_TOKEN_SCOPE', scope: auth.reveal.scope };
  return { allowed: true };
}

function errorCode(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined; // not JSON: /metrics, a HEAD answer
  }
}

/** Every (method, url) in Fastify's route table, read from printRoutes' tree. */
function registeredRoutes(tree: string): { method: string; url: string }[] {
  const out: { method: string; url: string }[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    if (m[3]) for (const method of m[3].split(', ')) out.push({ method, url: stack.join('') });
  }
  return out;
}

describe('token scopes: every route, with every scope', () => {
  let t: TestPlatform;
  let member: User;
  let operatorId: string;
  let orgId: string;
  const tokens = {} as Record<Scope, string>;

  before(async () => {
    const operatorEmail = `op-${suffix()}@example.test`;
    t = await startTestPlatform({ worker: true, env: { PADDOCK_OPERATOR_EMAIL: operatorEmail, PADDOCK_OPERATOR_PASSWORD: 'operator password 1' } });
    await bootstrapOperator(t.platform);
    const login = await call(t.app, undefined, 'POST', '/v1/auth/login', { email: operatorEmail, password: 'operator password 1' });
    operatorId = login.body.account.id;
    member = await signup(t.app, 'scopes');
    orgId = (await call(t.app, member.token, 'GET', `/v1/orgs/${member.org}`)).body.id;
    // The operator's tokens act in the member's organisation, as an owner: only the scope can refuse them.
    await t.platform.db.insertInto('memberships').values({ org_id: orgId, account_id: operatorId, role: 'owner' }).execute();
    // The walk makes a site per call; the free plan's 3 would refuse the last test's.
    await t.platform.db.updateTable('organisations').set({ quota_overrides: JSON.stringify({ sites: 100000 }) }).where('id', '=', orgId).execute();
    for (const scope of ['read', 'secrets', 'write', 'admin'] as const) {
      const made = await call(t.app, login.body.session.token, 'POST', '/v1/tokens', { name: scope, scopes: [scope] });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      tokens[scope] = made.body.token;
    }
  });
  after(async () => { await t.close(); });

  /** A site of the member's organisation, ready, of its own: a call that deletes or suspends it spoils no other. */
  async function freshSite(): Promise<string> {
    const name = siteName('walk');
    await t.platform.db.insertInto('sites').values({ org_id: orgId, name, status: 'ready', status_reason: null, secret_key_enc: null }).execute();
    return name;
  }

  async function bearer(who: Credential): Promise<string | undefined> {
    if (who === 'none') return undefined;
    // A session of its own per call: POST /v1/auth/logout ends the one it is called with.
    if (who === 'operator session') return (await createSession(t.platform.db, operatorId, 1, {})).token;
    if (who === 'member session') return (await createSession(t.platform.db, member.accountId, 1, {})).token;
    return tokens[who];
  }

  async function urlFor(pattern: string): Promise<string> {
    let url = pattern;
    if (url.includes(':site')) url = url.replace(':site', await freshSite());
    return url.replace(':org', member.org).replace(':id', randomUUID()).replace(':accountId', randomUUID()).replace(':hostname', 'www.example.test');
  }

  test('every route answers each credential as its declared access says', { timeout: 120_000 }, async () => {
    const routes = registeredRoutes(t.app.printRoutes({ commonPrefix: false }));
    assert.ok(routes.length >= 60, `found ${routes.length} routes`);
    const declared = t.app.routeAuth;
    let walked = 0;
    for (const { method, url: pattern } of routes) {
      const auth = declared.get(`${method} ${pattern}`);
      if (auth === undefined) {
        // Only the API docs' own pages come before the declarations, and they are public.
        assert.ok(pattern === '/docs' || pattern.startsWith('/docs/'), `${method} ${pattern} is served but declares no access`);
        continue;
      }
      const reveal = auth ? auth.reveal : undefined;
      for (const revealing of reveal ? [false, true] : [false]) {
        for (const who of credentials) {
          const url: string = (await urlFor(pattern)) + (revealing && reveal ? `?${reveal.query}=true` : '');
          const token = await bearer(who);
          const res: { statusCode: number; body: string } = await t.app.inject({
            method: method as 'GET', url,
            headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(['POST', 'PATCH', 'PUT'].includes(method) ? { 'content-type': 'application/json' } : {}) },
            ...(['POST', 'PATCH', 'PUT'].includes(method) ? { payload: '{}' } : {}),
          });
          const code = errorCode(res.body);
          const want = expected(auth, who, revealing);
          const what = `${method} ${url} with ${who === 'none' ? 'no credential' : who.includes('session') ? `an ${who}` : `a ${who}-scope token`}`;
          if (want.allowed) {
            const refusals = auth && (auth.site || auth.org) ? [...accessCodes, ...notMineCodes] : accessCodes;
            assert.ok(res.statusCode !== 401 && !(code && refusals.includes(code)), `${what} was refused: ${res.statusCode} ${res.body}`);
            assert.ok(res.statusCode < 500, `${what} failed: ${res.statusCode} ${res.body}`);
          } else {
            assert.equal(res.statusCode, want.status, `${what}: ${res.body}`);
            if (method !== 'HEAD') {
              assert.equal(code, want.code, `${what}: ${res.body}`);
              if (want.scope) assert.ok((JSON.parse(res.body) as { error: { message: string } }).error.message.includes(`lacks the "${want.scope}" scope`), `${what}: ${res.body}`);
            }
          }
          walked++;
        }
      }
    }
    assert.ok(walked >= routes.length * credentials.length - 100, `walked ${walked} calls`);
  });

  test('a route that declares no access, or an access that does not fit its path, stops the server at startup', async () => {
    const undeclared = async (app: FastifyInstance) => { app.get('/v1/forgotten', async () => ({ secret: 1 })); };
    await assert.rejects(buildServer(t.platform, { plugins: [undeclared] }), /GET \/v1\/forgotten: the route declares no access/);
    const siteless = async (app: FastifyInstance) => { app.get('/v1/sites/:site/forgotten', { config: { auth: { scope: 'read' } } }, async () => ({})); };
    await assert.rejects(buildServer(t.platform, { plugins: [siteless] }), /names a :site but auth.site/);
    const adminForAll = async (app: FastifyInstance) => { app.get('/v1/everyone', { config: { auth: { scope: 'admin' } } }, async () => ({})); };
    await assert.rejects(buildServer(t.platform, { plugins: [adminForAll] }), /operator: true/);
  });

  test('the OpenAPI document states the scope and the role of every operation, from the same declaration', async () => {
    const doc = (await t.app.inject('/openapi.json')).json<{ paths: Record<string, Record<string, { description?: string; security?: Record<string, string[]>[] }>> }>();
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const auth = t.app.routeAuth.get(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
        assert.notEqual(auth, undefined, `${method} ${path}`);
        assert.match(op.description ?? '', /\*\*Access:\*\*/, `${method} ${path} says who may call it`);
        if (auth) {
          assert.deepEqual(op.security, [{ bearer: [auth.scope] }, { session: [] }], `${method} ${path}`);
          if (auth.site || auth.org) assert.match(op.description!, /role \w+/, `${method} ${path} names the role`);
        } else {
          assert.match(op.description!, /public/);
        }
        checked++;
      }
    }
    assert.ok(checked >= 45, `checked ${checked} operations`);
    const env = doc.paths['/v1/sites/{site}/env']!.get!;
    assert.deepEqual(env.security, [{ bearer: ['secrets'] }, { session: [] }]);
    assert.match(env.description!, /`secrets` scope \(or `write`\); role developer or above/);
    assert.match(doc.paths['/v1/sites/{site}/database']!.get!.description!, /With `\?reveal=true` \(secrets\): the `secrets` scope \(or `write`\) and role developer or above/);
  });

  test('attack: a read-scope token gets 403 on every route that shows a secret; a secrets token reads them', { timeout: 60_000 }, async () => {
    const site = siteName('secret');
    assert.equal((await call(t.app, member.token, 'POST', '/v1/sites', { name: site })).status, 202);
    await waitForStatus(t.app, member.token, site, 'ready');
    const set = await call(t.app, tokens.write, 'PATCH', `/v1/sites/${site}/env`, { vars: { STRIPE_KEY: 'sk_live_do_not_leak' } });
    assert.equal(set.status, 200, JSON.stringify(set.body));

    // Named here, not taken from the declarations: the routes whose answers hold a secret.
    const secretRoutes: [method: 'GET' | 'PATCH' | 'POST', url: string, body?: unknown][] = [
      ['GET', `/v1/sites/${site}/env`],
      ['GET', `/v1/sites/${site}/database?reveal=true`],
      ['PATCH', `/v1/sites/${site}/env`, { vars: {} }],
      ['POST', `/v1/sites/${site}/run`, { command: ['shell', '-c', 'process.env.DATABASE_URL'] }],
    ];
    for (const [method, url, body] of secretRoutes) {
      const r = await call(t.app, tokens.read, method, url, body);
      assert.equal(r.status, 403, `${method} ${url}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, 'PDK_TOKEN_SCOPE');
      assert.doesNotMatch(JSON.stringify(r.body), /sk_live|postgres:\/\//);
    }

    // The read token still sees the database's details, its password masked.
    const masked = await call(t.app, tokens.read, 'GET', `/v1/sites/${site}/database`);
    assert.equal(masked.status, 200);
    assert.match(masked.body.database.url, /:\*\*\*\*@/);

    const env = await call(t.app, tokens.secrets, 'GET', `/v1/sites/${site}/env`);
    assert.equal(env.status, 200);
    assert.equal(env.body.vars.STRIPE_KEY, 'sk_live_do_not_leak');
    const revealed = await call(t.app, tokens.secrets, 'GET', `/v1/sites/${site}/database?reveal=true`);
    assert.equal(revealed.status, 200);
    assert.doesNotMatch(revealed.body.database.url, /\*\*\*\*/);
    // ...but changes nothing.
    assert.equal((await call(t.app, tokens.secrets, 'PATCH', `/v1/sites/${site}/env`, { vars: { X: '1' } })).body.error.code, 'PDK_TOKEN_SCOPE');
    // A deploy (write) token reads them too: it could print them from a one-off anyway.
    assert.equal((await call(t.app, tokens.write, 'GET', `/v1/sites/${site}/env`)).body.vars.STRIPE_KEY, 'sk_live_do_not_leak');
  });
});
