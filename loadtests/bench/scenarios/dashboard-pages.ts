// The dashboard's server response time per page with 100 sites in the organisation (issue 9's
// budget: p95 ≤ 200 ms), against the built dashboard and a real control plane on a platform
// database of its own. The ratio is p95 / 200 ms; the API's own GET /v1/sites p95 is shown beside
// each page as the share of the time that is the API's. The site's database and metrics tabs are
// measured on one really provisioned site beside those 100.
import type { Scenario } from '../harness/index.mjs';
import { startDashboard } from '../../../dashboard/test/support/dashboard-server.js';
import { startApi, suffix, uniqueEmail } from '../../../dashboard/test/support/control-plane.js';
import { apiCall, createReadySite, signupViaApi } from '../../../dashboard/test/support/api-client.js';
import { eventually } from '../../../dashboard/test/support/pages.js';

const SITES = 100;
const ROUNDS = 40;
const BUDGET_MS = 200;

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? Number.NaN;
}

async function timed(url: string, headers: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, { headers, redirect: 'manual' });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return performance.now() - t0;
}

const scenario: Scenario = {
  name: 'dashboard-pages',
  description: `dashboard page p95 with ${SITES} sites vs the ${BUDGET_MS} ms budget`,
  target: { ratio: 1, compare: '<=' },
  async run(ctx) {
    const api = await startApi();
    ctx.defer(() => api.stop());
    const dash = await startDashboard({ PADDOCK_API_URL: api.url });
    ctx.defer(() => dash.stop());
    const owner = await signupViaApi(api.url, uniqueEmail('bench'), `pw-${suffix()}-${suffix()}`);
    // The database and metrics tabs read a real tenant database and cache user: one provisioned site,
    // made before the 100 rows so the plan's site quota does not refuse it.
    const real = `bench-tabs-${suffix()}`;
    await createReadySite(api.url, owner.token, real);
    ctx.defer(async () => {
      await apiCall(api.url, `/v1/sites/${real}`, { method: 'DELETE', token: owner.token }).catch(() => undefined);
      await eventually('the bench site being torn down', async () => {
        const row = await api.platform.db.selectFrom('sites').select('status').where('name', '=', real).executeTakeFirst();
        return !row || row.status === 'deleted';
      }).catch(() => undefined);
    });
    // Ready rows straight into this run's platform database: provisioning 100 tenant databases
    // would measure the provisioner, not the pages.
    const org = await api.platform.db.selectFrom('organisations').select('id').where('name', '=', owner.org).executeTakeFirstOrThrow();
    const rows = Array.from({ length: SITES }, (_, i) => ({ org_id: org.id, name: `bench-${String(i).padStart(3, '0')}-${suffix()}`, status: 'ready' as const }));
    const sites = await api.platform.db.insertInto('sites').values(rows).returning(['id', 'name']).execute();
    const op = await apiCall<{ session: { token: string } }>(api.url, '/v1/auth/login', { method: 'POST', body: { email: api.operator.email, password: api.operator.password } });
    const ownerH = { cookie: `paddock_dashboard_session=${owner.token}` };
    const opH = { cookie: `paddock_dashboard_session=${op.session.token}` };
    const pages: [string, Record<string, string>][] = [
      ['/', ownerH], ['/login', {}], ['/sites', ownerH], ['/sites/new', ownerH],
      [`/sites/${sites[0]!.name}`, ownerH], [`/sites/${real}/database`, ownerH], [`/sites/${real}/metrics`, ownerH],
      [`/sites/${real}/metrics?window=24h`, ownerH], ['/org', ownerH], ['/org/tokens', ownerH],
      ['/admin/sites', opH], [`/admin/sites/${sites[0]!.id}`, opH], ['/admin/orgs', opH], ['/admin/audit', opH],
    ];
    const apiSamples: number[] = [];
    const result = [];
    for (const [path, headers] of pages) {
      ctx.log(`dashboard-pages: ${path}`);
      await timed(`${dash.url}${path}`, headers); // warm: first render compiles nothing in production, but fills caches
      const samples: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        samples.push(await timed(`${dash.url}${path}`, headers));
        if (apiSamples.length < ROUNDS) apiSamples.push(await timed(`${api.url}/v1/sites`, { authorization: `Bearer ${owner.token}` }));
      }
      const p = p95(samples);
      result.push({ subject: `GET ${path}`, baseline: `budget ${BUDGET_MS} ms`, measured: { 'p95 ms': Math.round(p), 'median ms': Math.round(ctx.median(samples)) }, ratio: p / BUDGET_MS });
    }
    result.push({ subject: `API GET /v1/sites (${SITES} sites)`, baseline: `budget ${BUDGET_MS} ms`, measured: { 'p95 ms': Math.round(p95(apiSamples)), 'median ms': Math.round(ctx.median(apiSamples)) }, ratio: p95(apiSamples) / BUDGET_MS });
    return result;
  },
};

export default scenario;
