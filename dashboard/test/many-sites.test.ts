// Every page renders with 100 sites in the organisation, against the built dashboard and a real
// control plane. How fast they answer (issue 9's 200 ms p95 budget) is measured by the bench
// scenario loadtests/bench/scenarios/dashboard-pages.ts, not here: a timed test measures the machine.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDashboard, type RunningDashboard } from './support/dashboard-server.js';
import { startApi, suffix, uniqueEmail, type RunningApi } from './support/control-plane.js';
import { apiCall, signupViaApi } from './support/api-client.js';

const SITES = 100;

describe('dashboard with 100 sites', () => {
  let api: RunningApi;
  let dash: RunningDashboard;
  let ownerCookie = '';
  let operatorCookie = '';
  let firstSite = '';
  let siteId = '';

  before(async () => {
    api = await startApi();
    dash = await startDashboard({ PADDOCK_API_URL: api.url });
    const owner = await signupViaApi(api.url, uniqueEmail('speed'), `pw-${suffix()}-${suffix()}`);
    // The sites go straight into this test's own platform database as ready rows: provisioning
    // 100 tenant databases would measure the provisioner, not the pages.
    const org = await api.platform.db.selectFrom('organisations').select('id').where('name', '=', owner.org).executeTakeFirstOrThrow();
    const rows = Array.from({ length: SITES }, (_, i) => ({ org_id: org.id, name: `speed-${String(i).padStart(3, '0')}-${suffix()}`, status: 'ready' as const }));
    const inserted = await api.platform.db.insertInto('sites').values(rows).returning(['id', 'name']).execute();
    firstSite = inserted[0]!.name;
    siteId = inserted[0]!.id;
    const op = await apiCall<{ session: { token: string } }>(api.url, '/v1/auth/login', { method: 'POST', body: { email: api.operator.email, password: api.operator.password } });
    ownerCookie = `paddock_dashboard_session=${owner.token}`;
    operatorCookie = `paddock_dashboard_session=${op.session.token}`;
  });
  after(async () => {
    await dash?.stop();
    await api?.stop();
  });

  test('every page renders for its owner or an operator with 100 sites in the organisation, and the sites page lists them all', async () => {
    const pages: [string, string][] = [
      ['/', ownerCookie],
      ['/login', ''],
      ['/signup', ''],
      ['/sites', ownerCookie],
      ['/sites/new', ownerCookie],
      [`/sites/${firstSite}`, ownerCookie],
      [`/sites/${firstSite}/database`, ownerCookie],
      [`/sites/${firstSite}/metrics?window=6h`, ownerCookie],
      ['/org', ownerCookie],
      ['/org/tokens', ownerCookie],
      ['/admin/sites', operatorCookie],
      [`/admin/sites/${siteId}`, operatorCookie],
      ['/admin/orgs', operatorCookie],
      ['/admin/audit', operatorCookie],
    ];
    for (const [path, cookie] of pages) {
      const res = await fetch(`${dash.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
      const body = await res.text();
      assert.equal(res.status, 200, `${path} answered ${res.status}`);
      if (path === '/sites') assert.equal((body.match(/data-label="Status"/g) ?? []).length, SITES, 'the sites page should list all 100 sites');
    }
  });
});
