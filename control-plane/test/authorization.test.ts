import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import { call, signup, siteName, type User } from './support/api.js';

/** Invites `who` into `owner`'s organisation with `role`, through the emailed link. */
async function join(t: TestPlatform, owner: User, who: User, role: string): Promise<void> {
  const inv = await call(t.app, owner.token, 'POST', `/v1/orgs/${owner.org}/invitations`, { email: who.email, role });
  assert.equal(inv.status, 201, JSON.stringify(inv.body));
  const mail = t.platform.mailer.sent.findLast((m) => m.to === who.email);
  const token = /token=(\S+)/.exec(mail?.text ?? '')?.[1];
  assert.ok(token);
  const accepted = await call(t.app, who.token, 'POST', '/v1/invitations/accept', { token });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  assert.equal(accepted.body.role, role);
}

describe('authorization: roles within an organisation, and nothing across organisations', () => {
  let t: TestPlatform;
  let owner: User, admin: User, developer: User, viewer: User, stranger: User;
  let site: string;
  before(async () => {
    t = await startTestPlatform();
    [owner, admin, developer, viewer, stranger] = await Promise.all(['owner', 'admin', 'dev', 'viewer', 'stranger'].map((n) => signup(t.app, n))) as [User, User, User, User, User];
    await join(t, owner, admin, 'admin');
    await join(t, owner, developer, 'developer');
    await join(t, owner, viewer, 'viewer');
    site = siteName();
    const created = await call(t.app, owner.token, 'POST', '/v1/sites', { name: site, org: owner.org });
    assert.equal(created.status, 202);
    // No worker here: the site stays provisioning; make it ready for suspend/resume checks.
    await t.platform.db.updateTable('sites').set({ status: 'ready' }).where('name', '=', site).execute();
  });
  after(async () => { await t.close(); });

  test('every member reads the site; only admins and owners create, suspend or delete', async () => {
    for (const u of [owner, admin, developer, viewer]) {
      assert.equal((await call(t.app, u.token, 'GET', `/v1/sites/${site}`)).status, 200);
      assert.ok((await call(t.app, u.token, 'GET', '/v1/sites')).body.sites.some((s: { name: string }) => s.name === site));
    }
    for (const u of [developer, viewer]) {
      const c = await call(t.app, u.token, 'POST', '/v1/sites', { name: siteName(), org: owner.org });
      assert.equal(c.status, 403);
      assert.equal(c.body.error.code, 'PDK_FORBIDDEN_ROLE');
      assert.equal((await call(t.app, u.token, 'POST', `/v1/sites/${site}/suspend`)).status, 403);
      assert.equal((await call(t.app, u.token, 'DELETE', `/v1/sites/${site}`)).status, 403);
    }
    // A viewer cannot change (or deploy to) a site; a developer can resize it.
    assert.equal((await call(t.app, viewer.token, 'PATCH', `/v1/sites/${site}`, { replicas: 1 })).status, 403);
    assert.equal((await call(t.app, developer.token, 'PATCH', `/v1/sites/${site}`, { replicas: 1 })).status, 200);
    const s = await call(t.app, admin.token, 'POST', `/v1/sites/${site}/suspend`);
    assert.equal(s.status, 200);
    assert.equal(s.body.status, 'suspended');
    assert.equal((await call(t.app, admin.token, 'POST', `/v1/sites/${site}/resume`)).body.status, 'ready');
  });

  test('another organisation cannot see that the site exists: 404 exactly as for a missing one', async () => {
    const missing = await call(t.app, stranger.token, 'GET', `/v1/sites/${siteName('nonexistent')}`);
    for (const [method, path, body] of [
      ['GET', `/v1/sites/${site}`, undefined],
      ['PATCH', `/v1/sites/${site}`, { replicas: 1 }],
      ['POST', `/v1/sites/${site}/suspend`, undefined],
      ['POST', `/v1/sites/${site}/resume`, undefined],
      ['DELETE', `/v1/sites/${site}`, undefined],
    ] as const) {
      const r = await call(t.app, stranger.token, method, path, body);
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.equal(r.body.error.code, 'PDK_SITE_NOT_FOUND');
      assert.equal(r.body.error.message.replace(site, 'X'), missing.body.error.message.replace(/s?nonexistent-[0-9a-f]+/, 'X'));
    }
    assert.ok(!(await call(t.app, stranger.token, 'GET', '/v1/sites')).body.sites.some((x: { name: string }) => x.name === site));
    assert.equal((await call(t.app, stranger.token, 'GET', `/v1/orgs/${owner.org}`)).status, 404);
    assert.equal((await call(t.app, stranger.token, 'GET', `/v1/orgs/${owner.org}/members`)).status, 404);
    assert.equal((await call(t.app, stranger.token, 'POST', '/v1/sites', { name: siteName(), org: owner.org })).status, 404);
    // The stranger cannot take the name either: names are unique on the platform.
    assert.equal((await call(t.app, stranger.token, 'POST', '/v1/sites', { name: site })).body.error.code, 'PDK_SITE_NAME_TAKEN');
  });

  test('members: admins manage non-owners, only owners touch owners, the last owner stays', async () => {
    assert.equal((await call(t.app, viewer.token, 'GET', `/v1/orgs/${owner.org}/members`)).body.members.length, 4);
    assert.equal((await call(t.app, developer.token, 'PATCH', `/v1/orgs/${owner.org}/members/${viewer.accountId}`, { role: 'admin' })).status, 403);
    assert.equal((await call(t.app, admin.token, 'PATCH', `/v1/orgs/${owner.org}/members/${admin.accountId}`, { role: 'owner' })).status, 403, 'an admin cannot make itself owner');
    assert.equal((await call(t.app, admin.token, 'PATCH', `/v1/orgs/${owner.org}/members/${owner.accountId}`, { role: 'viewer' })).status, 403);
    assert.equal((await call(t.app, admin.token, 'POST', `/v1/orgs/${owner.org}/invitations`, { email: 'x@example.test', role: 'owner' })).status, 403);
    const last = await call(t.app, owner.token, 'PATCH', `/v1/orgs/${owner.org}/members/${owner.accountId}`, { role: 'admin' });
    assert.equal(last.status, 409);
    assert.equal(last.body.error.code, 'PDK_LAST_OWNER');
    // Nor can the only owner remove itself: the organisation would have no owner.
    const leaving = await call(t.app, owner.token, 'DELETE', `/v1/orgs/${owner.org}/members/${owner.accountId}`);
    assert.equal(leaving.status, 409);
    assert.equal(leaving.body.error.code, 'PDK_LAST_OWNER');
    assert.match(leaving.body.error.message, /at least one owner; make someone else owner first/);
    assert.equal((await call(t.app, admin.token, 'PATCH', `/v1/orgs/${owner.org}/members/${viewer.accountId}`, { role: 'developer' })).status, 204);
    assert.equal((await call(t.app, admin.token, 'PATCH', `/v1/orgs/${owner.org}/members/${viewer.accountId}`, { role: 'viewer' })).status, 204);
  });

  test('invitations are bound to their email, single-use, and revocable', async () => {
    const invitee = await signup(t.app, 'invitee');
    const inv = await call(t.app, admin.token, 'POST', `/v1/orgs/${owner.org}/invitations`, { email: invitee.email, role: 'viewer' });
    const token = /token=(\S+)/.exec(t.platform.mailer.sent.findLast((m) => m.to === invitee.email)?.text ?? '')?.[1];
    assert.equal((await call(t.app, stranger.token, 'POST', '/v1/invitations/accept', { token })).body.error.code, 'PDK_INVITATION_INVALID');
    assert.equal((await call(t.app, admin.token, 'GET', `/v1/orgs/${owner.org}/invitations`)).body.invitations.length, 1);
    assert.equal((await call(t.app, admin.token, 'DELETE', `/v1/orgs/${owner.org}/invitations/${inv.body.id}`)).status, 204);
    assert.equal((await call(t.app, invitee.token, 'POST', '/v1/invitations/accept', { token })).body.error.code, 'PDK_INVITATION_INVALID');
  });

  test('quotas: the free plan allows 3 sites and 1 replica, with a clear error', async () => {
    const u = await signup(t.app, 'quota');
    const big = await call(t.app, u.token, 'POST', '/v1/sites', { name: siteName(), replicas: 3 });
    assert.equal(big.status, 403);
    assert.equal(big.body.error.code, 'PDK_QUOTA_EXCEEDED');
    assert.match(big.body.error.message, /free.*1 replicas/);
    const results = await Promise.all(Array.from({ length: 5 }, () => call(t.app, u.token, 'POST', '/v1/sites', { name: siteName() })));
    assert.deepEqual(results.map((r) => r.status).sort(), [202, 202, 202, 403, 403], 'concurrent creations cannot slip past the quota');
  });

  test('the audit log records who did what to which site, from where', async () => {
    const events = await t.platform.db.selectFrom('audit_events').selectAll().where('action', '=', 'site.suspend').execute();
    assert.ok(events.some((e) => e.actor_id === admin.accountId && e.actor_label === admin.email && e.target_type === 'site' && e.ip === '127.0.0.1'));
  });
});
