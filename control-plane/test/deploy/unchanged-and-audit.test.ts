// A change that changes nothing says so and releases nothing (env vars as they are, a rollback to
// the live release, the replica count the site runs); every change that does — pushes, releases
// going live or failing, env changes (names, never values), rollbacks, scaling, domains — is in
// the operators' audit log with who made it and the site's name.
// One site on the process driver (the same pipeline as Docker's, in a fraction of the time).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { suffix } from '../support/platform.js';
import { call, signup } from '../support/api.js';
import { deployedSiteFixture, follow, packSite, push, type DeployedSiteFixture } from './support.js';

const fixtures = join(import.meta.dirname, 'fixtures');

interface AuditEvent { action: string; actor: string; targetType: string; targetName: string | null; details: Record<string, unknown> }

describe('changes that change nothing, and the audit log of the ones that do', () => {
  let f: DeployedSiteFixture;
  let site: string;
  let ownerEmail: string;
  let operator: string;
  const secret = `value-${suffix()}`;

  const releaseCount = async () => (await call(f.app, f.token, 'GET', `/v1/sites/${site}/releases`)).body.releases.length as number;
  const deployCount = async () => (await call(f.app, f.token, 'GET', `/v1/sites/${site}/deploys`)).body.deploys.length as number;
  const replicaIds = async () => (await f.deps.driver.list(site)).map((r) => r.id).sort();
  const settled = async (r: { status: number; body: { id?: string; deploy?: { id: string }; deployId?: string | null } }) => {
    const id = r.body.deploy?.id ?? r.body.deployId ?? r.body.id;
    assert.ok(id, JSON.stringify(r.body));
    const d = await follow(f.app, f.token, site, id);
    assert.equal(d.status, 'succeeded', d.log.join('\n'));
  };

  before(async () => {
    f = await deployedSiteFixture('noop', { driver: 'process' });
    ({ site } = f);
    ownerEmail = (await call(f.app, f.token, 'GET', '/v1/auth/me')).body.account.email;
    const op = await signup(f.app, 'noop-op');
    await f.platform.db.updateTable('accounts').set({ is_operator: true }).where('id', '=', op.accountId).execute();
    operator = op.token;
    const v1 = await push(f.app, f.token, site, await packSite(join(fixtures, 'hello')));
    assert.equal(v1.status, 'succeeded', v1.log.join('\n'));
    const set = await call(f.app, f.token, 'PATCH', `/v1/sites/${site}/env`, { vars: { GREETING: secret } });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.changed, true);
    await settled(set); // v2
  });

  after(async () => {
    await f?.close();
  });

  test('unsetting a var that is not set, setting one to its value, rolling back to the live release and scaling to the count it runs: 200 changed:false, no release, no restart', async () => {
    const releases = await releaseCount();
    const deploys = await deployCount();
    const replicas = await replicaIds();
    assert.ok(replicas.length >= 1);

    const unset = await call(f.app, f.token, 'PATCH', `/v1/sites/${site}/env`, { vars: { NOPE: null } });
    assert.equal(unset.status, 200, JSON.stringify(unset.body));
    assert.equal(unset.body.changed, false);
    assert.equal(unset.body.deploy, undefined);
    assert.deepEqual(unset.body.vars, { GREETING: secret });

    const same = await call(f.app, f.token, 'PATCH', `/v1/sites/${site}/env`, { vars: { GREETING: secret, NOPE: null } });
    assert.equal(same.status, 200, JSON.stringify(same.body));
    assert.equal(same.body.changed, false);
    assert.equal(same.body.deploy, undefined);

    const rollback = await call(f.app, f.token, 'POST', `/v1/sites/${site}/rollback`, { version: 2 });
    assert.equal(rollback.status, 200, JSON.stringify(rollback.body));
    assert.deepEqual(rollback.body, { changed: false, version: 2 });

    const scale = await call(f.app, f.token, 'POST', `/v1/sites/${site}/scale`, { replicas: 1 });
    assert.equal(scale.status, 200, JSON.stringify(scale.body));
    assert.deepEqual(scale.body, { replicas: 1, deployId: null, changed: false });

    assert.equal(await releaseCount(), releases, 'a release was made');
    assert.equal(await deployCount(), deploys, 'a deploy was queued');
    assert.deepEqual(await replicaIds(), replicas, 'the replicas were restarted');
    const live = (await call(f.app, f.token, 'GET', `/v1/sites/${site}/releases`)).body.releases.find((r: { current: boolean }) => r.current);
    assert.equal(live.version, 2);

    // Nothing that changed nothing is in the audit log either.
    const envEvents = await call(f.app, operator, 'GET', `/v1/admin/audit?target=${site}&action=site.env`);
    assert.equal(envEvents.body.page.total, 1, JSON.stringify(envEvents.body.events));
  });

  test('the OpenAPI document describes the changed field of env, scale and rollback answers', async () => {
    const doc = (await call(f.app, undefined, 'GET', '/openapi.json')).body;
    const text = (route: string, method: string) => JSON.stringify(doc.paths[route][method].responses);
    assert.match(text('/v1/sites/{site}/env', 'patch'), /"changed"/);
    assert.match(text('/v1/sites/{site}/scale', 'post'), /"changed"/);
    assert.match(text('/v1/sites/{site}/rollback', 'post'), /"200".*"changed"/);
  });

  test('pushes, releases going live or failing, env changes (names only), rollbacks, scaling and domains are audited with their actor and the site', async () => {
    const org = (await call(f.app, f.token, 'GET', '/v1/orgs')).body.organisations[0].name as string;
    // The operator raises the quota by the organisation's name (admin routes take names).
    const quota = await call(f.app, operator, 'PATCH', `/v1/admin/orgs/${org}`, { quotas: { replicas: 2 } });
    assert.equal(quota.status, 200, JSON.stringify(quota.body));
    await settled(await call(f.app, f.token, 'POST', `/v1/sites/${site}/scale`, { replicas: 2 })); // v3
    await settled(await call(f.app, f.token, 'PATCH', `/v1/sites/${site}/env`, { vars: { GREETING: null, OTHER: secret } })); // v4
    const rolled = await call(f.app, f.token, 'POST', `/v1/sites/${site}/rollback`, { version: 2 });
    assert.equal(rolled.status, 202, JSON.stringify(rolled.body));
    assert.equal(rolled.body.changed, true);
    await settled(rolled); // v5
    const broken = await push(f.app, f.token, site, await packSite(join(fixtures, 'broken')));
    assert.equal(broken.status, 'failed');
    const host = `www.${site}.${f.platform.config.siteDomain}`;
    const added = await call(f.app, f.token, 'POST', `/v1/sites/${site}/domains`, { hostname: host });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    // Its own subdomain verifies at once and re-releases the site; the removal waits for that.
    const reRelease = (await call(f.app, f.token, 'GET', `/v1/sites/${site}/deploys`)).body.deploys[0];
    await settled({ status: 202, body: { id: reRelease.id } });
    assert.equal((await call(f.app, f.token, 'DELETE', `/v1/sites/${site}/domains/${host}`)).status, 204);
    await settled({ status: 202, body: { id: (await call(f.app, f.token, 'GET', `/v1/sites/${site}/deploys`)).body.deploys[0].id } });

    const r = await call(f.app, operator, 'GET', `/v1/admin/audit?target=${site}&limit=100`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const events = r.body.events as AuditEvent[];
    const of = (action: string) => events.filter((e) => e.action === action);
    for (const action of ['deploy.push', 'release.live', 'deploy.failed', 'site.env', 'site.rollback', 'site.resize', 'domain.add', 'domain.remove']) {
      assert.ok(of(action).length > 0, `${action} is not in the audit log: ${events.map((e) => e.action).join(', ')}`);
      for (const e of of(action)) assert.deepEqual([e.actor, e.targetType, e.targetName], [ownerEmail, 'site', site], JSON.stringify(e));
    }
    // Two pushes (one failed); every release that went live (v1..v5 and the two domain re-releases), once.
    assert.equal(of('deploy.push').length, 2);
    const wentLive = (await call(f.app, f.token, 'GET', `/v1/sites/${site}/releases`)).body.releases
      .filter((x: { status: string }) => x.status !== 'failed').map((x: { version: number }) => x.version).sort((a: number, b: number) => a - b);
    assert.equal(wentLive.length, 7);
    assert.deepEqual(of('release.live').map((e) => e.details.version).sort((a, b) => Number(a) - Number(b)), wentLive);
    assert.deepEqual(of('release.live').find((e) => e.details.version === 5)?.details.kind, 'rollback');
    assert.deepEqual(of('site.env').map((e) => e.details), [{ set: ['OTHER'], removed: ['GREETING'] }, { set: ['GREETING'], removed: [] }]);
    assert.deepEqual(of('site.rollback').map((e) => e.details.version), [2]);
    assert.deepEqual(of('domain.add').map((e) => e.details.hostname), [host]);
    assert.deepEqual(of('domain.remove').map((e) => e.details.hostname), [host]);
    // Names, never values.
    assert.doesNotMatch(JSON.stringify(events), new RegExp(secret));
  });
});
