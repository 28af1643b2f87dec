// Throws generated path parameters, query strings, headers and bodies at every route in the
// OpenAPI document, as strangers, members and operators. Whatever arrives, the answer is never
// a 5xx, always the one error shape when it is an error, and a refused request changes nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sql } from 'kysely';
import { bootstrapOperator } from '../src/accounts/operator.js';
import { startTestPlatform, suffix, type TestPlatform } from './support/platform.js';
import { call, signup, siteName, type User } from './support/api.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
interface Route { method: Method; path: string; params: string[]; queryKeys: string[]; bodyKeys: string[] }
interface OpenApiOperation { parameters?: { name: string; in: string }[]; requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> } }

/** A digest of everything a request could change: any difference means something changed. */
async function snapshot(t: TestPlatform): Promise<string> {
  const { rows } = await sql<{ d: string }>`
    select concat_ws('|',
      (select md5(coalesce(string_agg(concat_ws(',', id, email, password_hash, is_operator, status, name), ';' order by id), '')) from accounts),
      (select md5(coalesce(string_agg(concat_ws(',', id, name, plan, quota_overrides::text), ';' order by id), '')) from organisations),
      (select md5(coalesce(string_agg(concat_ws(',', org_id, account_id, role), ';' order by org_id, account_id), '')) from memberships),
      (select md5(coalesce(string_agg(concat_ws(',', id, accepted_at, revoked_at), ';' order by id), '')) from invitations),
      (select md5(coalesce(string_agg(concat_ws(',', id, name, status, status_reason, replicas, memory_mb), ';' order by id), '')) from sites),
      (select md5(coalesce(string_agg(concat_ws(',', id, revoked_at, scopes::text), ';' order by id), '')) from api_tokens),
      (select count(*) from sessions),
      (select count(*) from audit_events)
    ) as d`.execute(t.platform.db);
  return rows[0]!.d;
}

describe('property: any input to any route', () => {
  let t: TestPlatform;
  let routes: Route[];
  let owner: User, viewer: User, op: string;
  // API tokens, not sessions: a generated POST /v1/auth/logout must not end the callers' runs.
  const tokens: Record<'owner' | 'viewer' | 'operator', string> = { owner: '', viewer: '', operator: '' };
  const known: string[] = [];

  before(async () => {
    const operatorEmail = `op-${suffix()}@example.test`;
    t = await startTestPlatform({ env: { PADDOCK_OPERATOR_EMAIL: operatorEmail, PADDOCK_OPERATOR_PASSWORD: 'operator password 1' } });
    await bootstrapOperator(t.platform);
    op = (await call(t.app, undefined, 'POST', '/v1/auth/login', { email: operatorEmail, password: 'operator password 1' })).body.session.token;
    owner = await signup(t.app, 'prop-owner');
    viewer = await signup(t.app, 'prop-viewer');
    const site = siteName('prop');
    const created = await call(t.app, owner.token, 'POST', '/v1/sites', { name: site });
    const token = await call(t.app, owner.token, 'POST', '/v1/tokens', { name: 't', scopes: ['read'] });
    const orgId = (await call(t.app, owner.token, 'GET', `/v1/orgs/${owner.org}`)).body.id;
    tokens.owner = (await call(t.app, owner.token, 'POST', '/v1/tokens', { name: 'p', scopes: ['read', 'write'] })).body.token;
    tokens.viewer = (await call(t.app, viewer.token, 'POST', '/v1/tokens', { name: 'p', scopes: ['read', 'write'] })).body.token;
    tokens.operator = (await call(t.app, op, 'POST', '/v1/tokens', { name: 'p', scopes: ['read', 'write', 'admin'] })).body.token;
    known.push(site, owner.org, viewer.org, created.body.id, token.body.id, orgId, owner.accountId, viewer.accountId);

    const doc = (await t.app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, OpenApiOperation>> };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops)
      .filter(([m]) => ['get', 'post', 'patch', 'put', 'delete'].includes(m))
      .map(([m, op]) => ({
        method: m.toUpperCase() as Method,
        path,
        params: [...path.matchAll(/\{(\w+)\}/g)].map((x) => x[1]!),
        // The route's own field names, so generated input gets past "unknown property" and
        // exercises the handlers, not only the validator.
        queryKeys: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        bodyKeys: Object.keys(op.requestBody?.content?.['application/json']?.schema?.properties ?? {}),
      })));
    assert.ok(routes.length >= 30, `found ${routes.length} routes`);
  });
  after(async () => { await t.close(); });

  const text = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('', ' ', '..', '%', '%00', '\u0000', "'; drop table sites; --", 'ä', '-a', 'a-', 'A', '0'.repeat(70), '-1', '1e9', 'null', '{}'),
  );
  const value = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(text, { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 }));
  const commonKeys = ['name', 'email', 'password', 'role', 'scopes', 'token', 'replicas', 'memoryMb', 'plan', 'quotas', 'org', 'page', 'limit', 'q', 'status', '__proto__', 'constructor'];
  const keysOf = (own: string[]) => fc.oneof({ weight: 3, arbitrary: own.length ? fc.constantFrom(...own) : fc.constantFrom(...commonKeys) }, { weight: 1, arbitrary: fc.constantFrom(...commonKeys) });
  const bodyFor = (route: Route, values: fc.Arbitrary<unknown>) => fc.oneof(
    fc.constant(undefined),
    { weight: 3, arbitrary: fc.dictionary(keysOf(route.bodyKeys), values, { maxKeys: 5 }).map((o) => JSON.stringify(o)) },
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    text,
  );
  const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'garbage/!!');

  test('never a 5xx; errors in the one shape; a refused request changes nothing', { timeout: 180000 }, async () => {
    const param = fc.oneof(fc.constantFrom(...known), text, fc.uuid());
    const who = fc.constantFrom<'none' | 'garbage' | 'owner' | 'viewer' | 'operator' | 'cookie'>('none', 'garbage', 'owner', 'owner', 'owner', 'viewer', 'operator', 'operator', 'cookie');
    const requestFor = (route: Route) => fc.record({
      route: fc.constant(route),
      params: fc.array(param, { minLength: 4, maxLength: 4 }),
      query: fc.dictionary(keysOf(route.queryKeys), fc.oneof(text, fc.integer().map(String), fc.constantFrom(...known)), { maxKeys: 3 }),
      body: bodyFor(route, fc.oneof(value, { weight: 2, arbitrary: fc.constantFrom(...known) })),
      contentType: fc.oneof({ weight: 4, arbitrary: fc.constant('application/json') }, contentType),
      who,
      extraHeader: fc.option(fc.tuple(fc.constantFrom('x-forwarded-for', 'host', 'accept', 'cookie', 'content-length'), text)),
    });
    let answered = 0;
    const runs = Number(process.env.PADDOCK_PROPERTY_RUNS ?? 20);
    const seed = Number(process.env.PADDOCK_PROPERTY_SEED ?? 20261123);
    for (const route of routes) await fc.assert(fc.asyncProperty(requestFor(route), async (r) => {
      let url = r.route.path;
      r.route.params.forEach((p, i) => { url = url.replace(`{${p}}`, encodeURIComponent(r.params[i] ?? '')); });
      const qs = new URLSearchParams(r.query).toString();
      const headers: Record<string, string> = {};
      const token = { none: undefined, garbage: 'pds_garbage', owner: tokens.owner, viewer: tokens.viewer, operator: tokens.operator, cookie: undefined }[r.who];
      if (token) headers.authorization = `Bearer ${token}`;
      if (r.who === 'cookie') headers.cookie = `paddock_session=${owner.token}`;
      if (r.body !== undefined) headers['content-type'] = r.contentType;
      if (r.extraHeader) {
        const [k, v] = r.extraHeader;
        if (k !== 'content-length' && /^[\t\x20-\x7e]*$/.test(v)) headers[k] = v;
      }
      const before = await snapshot(t);
      const res = await t.app.inject({ method: r.route.method, url: qs ? `${url}?${qs}` : url, headers, ...(r.body !== undefined ? { payload: r.body } : {}) });
      answered++;
      assert.ok(res.statusCode < 500, `${r.route.method} ${url} answered ${res.statusCode}: ${res.body}`);
      if (res.statusCode >= 400) {
        const err = res.json() as { error?: { code?: unknown; message?: unknown } };
        assert.equal(typeof err.error?.code, 'string', res.body);
        assert.equal(typeof err.error?.message, 'string', res.body);
        assert.equal(await snapshot(t), before, `${r.route.method} ${url} was refused (${res.statusCode}) but changed state`);
      }
    }), { numRuns: runs, seed, endOnFailure: false });
    assert.ok(answered > 0);
  });

  test('every route that takes input refuses a malformed one with a 4xx', async () => {
    let checked = 0;
    for (const route of routes) {
      const takesBody = route.method !== 'GET' && route.method !== 'DELETE' && route.bodyKeys.length > 0;
      if (route.params.length === 0 && !takesBody && route.queryKeys.length === 0) continue;
      const url = route.path.replace(/\{\w+\}/g, 'Not A Label!') + (route.queryKeys.length ? `?${route.queryKeys.map((k) => `${k}=%00${'x'.repeat(300)}`).join('&')}&limit=-1` : '');
      const res = await t.app.inject({ method: route.method, url, headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.owner}` }, ...(takesBody ? { payload: '{"broken": ' } : {}) });
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${route.method} ${route.path} answered ${res.statusCode}`);
      checked++;
    }
    assert.ok(checked >= 25, `checked ${checked} routes`);
  });
});
