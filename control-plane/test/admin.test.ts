import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapOperator } from '../src/accounts/operator.js';
import { startTestPlatform, suffix, type TestPlatform } from './support/platform.js';
import { call, signup, siteName, type User } from './support/api.js';

describe('admin API for operators', () => {
  let t: TestPlatform;
  let op: string;
  let owner: User;
  const operatorEmail = `op-${suffix()}@example.test`;
  before(async () => {
    t = await startTestPlatform({ env: { PADDOCK_OPERATOR_EMAIL: operatorEmail, PADDOCK_OPERATOR_PASSWORD: 'operator password 1' } });
    await bootstrapOperator(t.platform);
    await bootstrapOperator(t.platform); // a second start (or a second API server) changes nothing
    const login = await call(t.app, undefined, 'POST', '/v1/auth/login', { email: operatorEmail, password: 'operator password 1' });
    assert.equal(login.status, 200);
    assert.equal(login.body.account.operator, true);
    op = login.body.session.token;
    owner = await signup(t.app, 'owner');
  });
  after(async () => { await t.close(); });

  test('the first operator comes from config, once', async () => {
    const rows = await t.platform.db.selectFrom('accounts').select(['is_operator']).where('email', '=', operatorEmail).execute();
    assert.deepEqual(rows, [{ is_operator: true }]);
  });

  test('non-operators and operator tokens without the admin scope are refused', async () => {
    const r = await call(t.app, owner.token, 'GET', '/v1/admin/sites');
    assert.equal(r.status, 403);
    assert.equal(r.body.error.code, 'PDK_OPERATOR_ONLY');
    assert.equal((await call(t.app, undefined, 'GET', '/v1/admin/orgs')).status, 401);
    const narrow = await call(t.app, op, 'POST', '/v1/tokens', { name: 'ro', scopes: ['read', 'write'] });
    const denied = await call(t.app, narrow.body.token, 'GET', '/v1/admin/orgs');
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'PDK_TOKEN_SCOPE');
    const admin = await call(t.app, op, 'POST', '/v1/tokens', { name: 'admin', scopes: ['admin'] });
    assert.equal((await call(t.app, admin.body.token, 'GET', '/v1/admin/orgs')).status, 200);
  });

  test('operators list and search organisations and sites with pagination', async () => {
    const names = [siteName('adm'), siteName('adm')];
    for (const name of names) assert.equal((await call(t.app, owner.token, 'POST', '/v1/sites', { name })).status, 202);
    const orgs = await call(t.app, op, 'GET', `/v1/admin/orgs?q=${owner.org}`);
    assert.equal(orgs.body.organisations.length, 1);
    assert.equal(orgs.body.organisations[0].sites, 2);
    assert.equal(orgs.body.organisations[0].members, 1);
    const page1 = await call(t.app, op, 'GET', '/v1/admin/sites?q=adm-&limit=1&page=1');
    const page2 = await call(t.app, op, 'GET', '/v1/admin/sites?q=adm-&limit=1&page=2');
    assert.equal(page1.body.page.total, 2);
    assert.notEqual(page1.body.sites[0].name, page2.body.sites[0].name);
    assert.equal((await call(t.app, op, 'GET', '/v1/admin/sites?q=%25')).body.page.total, 0, 'LIKE wildcards are literal');
    assert.equal((await call(t.app, op, 'GET', '/v1/admin/sites?status=provisioning&limit=200')).body.sites.length >= 2, true);
  });

  test('an operator suspension cannot be lifted by the owner; the operator resumes it', async () => {
    const name = siteName();
    const created = await call(t.app, owner.token, 'POST', '/v1/sites', { name, org: owner.org });
    await t.platform.db.updateTable('sites').set({ status: 'ready' }).where('id', '=', created.body.id).execute();
    const s = await call(t.app, op, 'POST', `/v1/admin/sites/${created.body.id}/suspend`);
    assert.equal(s.body.status, 'suspended');
    assert.equal(s.body.statusReason, 'operator');
    const denied = await call(t.app, owner.token, 'POST', `/v1/sites/${name}/resume`);
    assert.equal(denied.status, 409);
    assert.equal(denied.body.error.code, 'PDK_SITE_STATE');
    assert.equal(denied.body.error.message, `Site "${name}" is suspended by an operator, so it cannot be resumed by its owner; ask the platform's operator to resume it.`);
    assert.equal((await call(t.app, op, 'POST', `/v1/admin/sites/${created.body.id}/resume`)).body.status, 'ready');
    assert.equal((await call(t.app, op, 'POST', `/v1/admin/sites/${created.body.id}/resume`)).body.error.code, 'PDK_SITE_STATE', 'not twice');
    const d = await call(t.app, op, 'DELETE', `/v1/admin/sites/${created.body.id}`);
    assert.equal(d.body.status, 'deleting');
  });

  test("admin routes take a site's or organisation's name as well as its id; a name nothing has is 404; a deleted site's name names the live site now", async () => {
    const u = await signup(t.app, 'byname');
    const name = siteName('byname');
    const first = await call(t.app, u.token, 'POST', '/v1/sites', { name });
    assert.equal(first.status, 202, JSON.stringify(first.body));
    await t.platform.db.updateTable('sites').set({ status: 'ready' }).where('id', '=', first.body.id).execute();

    const got = await call(t.app, op, 'GET', `/v1/admin/sites/${name}`);
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.equal(got.body.id, first.body.id);
    const usage = await call(t.app, op, 'GET', `/v1/admin/sites/${name}/usage`);
    assert.equal(usage.status, 200, JSON.stringify(usage.body));
    assert.equal(usage.body.siteId, first.body.id);
    assert.equal((await call(t.app, op, 'POST', `/v1/admin/sites/${name}/suspend`)).body.status, 'suspended');
    assert.equal((await call(t.app, op, 'POST', `/v1/admin/sites/${name}/resume`)).body.status, 'ready');
    // The id still works, in either case.
    assert.equal((await call(t.app, op, 'GET', `/v1/admin/sites/${first.body.id.toUpperCase()}`)).body.name, name);

    for (const ref of ['no-such-site-anywhere', '00000000-0000-4000-8000-000000000000']) {
      const missing = await call(t.app, op, 'GET', `/v1/admin/sites/${ref}`);
      assert.equal(missing.status, 404, ref);
      assert.equal(missing.body.error.code, 'PDK_SITE_NOT_FOUND');
      assert.match(missing.body.error.message, new RegExp(ref));
    }

    // Deleted, its name taken again: the name is the new site's.
    assert.equal((await call(t.app, op, 'DELETE', `/v1/admin/sites/${name}`)).status, 202);
    await t.platform.db.updateTable('sites').set({ status: 'deleted' }).where('id', '=', first.body.id).execute();
    const second = await call(t.app, u.token, 'POST', '/v1/sites', { name });
    assert.equal(second.status, 202, JSON.stringify(second.body));
    assert.equal((await call(t.app, op, 'GET', `/v1/admin/sites/${name}`)).body.id, second.body.id);

    // An organisation by its name.
    const plan = await call(t.app, op, 'PATCH', `/v1/admin/orgs/${u.org}`, { quotas: { sites: 5 } });
    assert.equal(plan.status, 200, JSON.stringify(plan.body));
    assert.equal(plan.body.name, u.org);
    assert.equal(plan.body.quotas.sites, 5);
    assert.equal((await call(t.app, op, 'PATCH', '/v1/admin/orgs/no-such-org-anywhere', { quotas: { sites: 5 } })).body.error.code, 'PDK_ORG_NOT_FOUND');
  });

  test('changing plan and quota overrides changes what an organisation may create', async () => {
    const u = await signup(t.app, 'plan');
    const org = (await call(t.app, op, 'GET', `/v1/admin/orgs?q=${u.org}`)).body.organisations[0];
    assert.equal((await call(t.app, u.token, 'POST', '/v1/sites', { name: siteName(), replicas: 3 })).status, 403);
    const bad = await call(t.app, op, 'PATCH', `/v1/admin/orgs/${org.id}`, { plan: 'platinum' });
    assert.equal(bad.body.error.code, 'PDK_PLAN_NOT_FOUND');
    const changed = await call(t.app, op, 'PATCH', `/v1/admin/orgs/${org.id}`, { plan: 'pro', quotas: { sites: 1 } });
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.body.quotas, { sites: 1, replicas: 4, memoryMb: 1024, databaseMb: 10240, mediaMb: 10240 });
    assert.equal((await call(t.app, u.token, 'POST', '/v1/sites', { name: siteName(), replicas: 3 })).status, 202);
    assert.equal((await call(t.app, u.token, 'POST', '/v1/sites', { name: siteName() })).body.error.code, 'PDK_QUOTA_EXCEEDED');
  });

  test('the audit log is readable and filterable by operators', async () => {
    const all = await call(t.app, op, 'GET', '/v1/admin/audit?limit=200');
    assert.equal(all.status, 200);
    const actions = new Set(all.body.events.map((e: { action: string }) => e.action));
    for (const a of ['account.create', 'site.create', 'site.suspend', 'site.resume', 'site.delete', 'organisation.plan', 'token.create', 'session.create']) assert.ok(actions.has(a), a);
    const plan = await call(t.app, op, 'GET', '/v1/admin/audit?action=organisation.plan');
    assert.ok(plan.body.events.every((e: { action: string; ip: string }) => e.action === 'organisation.plan' && e.ip === '127.0.0.1'));
  });

  type Event = { action: string; actor: string; targetType: string; targetId: string; targetName: string | null; org: string | null };

  test('audit events name their site, organisation and account, and the filters take those names', async () => {
    const owner = await signup(t.app, 'named');
    const name = siteName('named');
    const created = await call(t.app, owner.token, 'POST', '/v1/sites', { name });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    await t.platform.db.updateTable('sites').set({ status: 'ready' }).where('id', '=', created.body.id).execute();
    assert.equal((await call(t.app, op, 'POST', `/v1/admin/sites/${created.body.id}/suspend`)).status, 200);

    // By the site's name: its events, each naming the site and its organisation.
    const bySite = await call(t.app, op, 'GET', `/v1/admin/audit?target=${name}`);
    assert.equal(bySite.status, 200, JSON.stringify(bySite.body));
    assert.deepEqual(bySite.body.events.map((e: Event) => e.action).sort(), ['site.create', 'site.suspend']);
    for (const e of bySite.body.events as Event[]) {
      assert.deepEqual([e.targetType, e.targetId, e.targetName, e.org], ['site', created.body.id, name, owner.org]);
    }
    // The same by its id, as before.
    assert.equal((await call(t.app, op, 'GET', `/v1/admin/audit?target=${created.body.id}`)).body.page.total, 2);
    // By an email: the account's own events as target (its creation), or as actor (what it did).
    const aboutOwner = await call(t.app, op, 'GET', `/v1/admin/audit?target=${encodeURIComponent(owner.email.toUpperCase())}`);
    assert.ok(aboutOwner.body.events.some((e: Event) => e.action === 'account.create' && e.targetName === owner.email), JSON.stringify(aboutOwner.body.events));
    const byOperator = await call(t.app, op, 'GET', `/v1/admin/audit?actor=${encodeURIComponent(operatorEmail)}&target=${name}`);
    assert.deepEqual(byOperator.body.events.map((e: Event) => [e.action, e.actor]), [['site.suspend', operatorEmail]]);
    // By the organisation's name: the events about it (its plan changes).
    const org = (await call(t.app, op, 'GET', `/v1/admin/orgs?q=${owner.org}`)).body.organisations[0];
    await call(t.app, op, 'PATCH', `/v1/admin/orgs/${org.id}`, { plan: 'free' });
    const byOrg = await call(t.app, op, 'GET', `/v1/admin/audit?target=${owner.org}`);
    assert.ok(byOrg.body.events.length >= 1 && byOrg.body.events.every((e: Event) => e.targetType === 'organisation' && e.targetName === owner.org), JSON.stringify(byOrg.body.events));
    // A name nothing has matches nothing, rather than everything.
    assert.equal((await call(t.app, op, 'GET', '/v1/admin/audit?target=no-such-site-anywhere')).body.page.total, 0);
  });
});
