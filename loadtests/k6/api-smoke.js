// A smoke load on the control-plane API: health, metrics, OpenAPI and the authenticated read
// endpoints a dashboard polls. Read-only: safe against a running platform.
//
//   k6 run loadtests/k6/api-smoke.js -e API_URL=http://127.0.0.1:4000 -e TOKEN=pdk_... \
//     -e VUS=10 -e DURATION=30s
//
// Without TOKEN only the public endpoints are loaded. Thresholds: no failed request, p95 under
// P95_MS (default 200 ms) for every endpoint.
/* global __ENV -- k6 passes -e NAME=value here */
import http from 'k6/http';
import { check, group, sleep } from 'k6';

const API_URL = (__ENV.API_URL || 'http://127.0.0.1:4000').replace(/\/$/, '');
const TOKEN = __ENV.TOKEN || '';
const P95_MS = Number(__ENV.P95_MS || 200);

export const options = {
  vus: Number(__ENV.VUS || 10),
  duration: __ENV.DURATION || '30s',
  thresholds: {
    http_req_failed: ['rate==0'],
    'http_req_duration{endpoint:healthz}': [`p(95)<${P95_MS}`],
    'http_req_duration{endpoint:sites}': [`p(95)<${P95_MS}`],
    checks: ['rate==1'],
  },
};

const auth = TOKEN ? { Authorization: `Bearer ${TOKEN}` } : {};

export function setup() {
  const res = http.get(`${API_URL}/healthz`);
  if (res.status !== 200) throw new Error(`${API_URL}/healthz answered ${res.status}: start the platform with \`npm start\` first.`);
}

export default function () {
  group('public', () => {
    check(http.get(`${API_URL}/healthz`, { tags: { endpoint: 'healthz' } }), { 'healthz 200': (r) => r.status === 200 });
    check(http.get(`${API_URL}/metrics`, { tags: { endpoint: 'metrics' } }), {
      'metrics is Prometheus text': (r) => r.status === 200 && /^# (HELP|TYPE) /m.test(r.body),
    });
    check(http.get(`${API_URL}/v1/plans`, { tags: { endpoint: 'plans' } }), { 'plans 200': (r) => r.status === 200 });
  });
  if (TOKEN) {
    group('authenticated', () => {
      check(http.get(`${API_URL}/v1/auth/me`, { headers: auth, tags: { endpoint: 'me' } }), { 'me 200': (r) => r.status === 200 });
      check(http.get(`${API_URL}/v1/sites`, { headers: auth, tags: { endpoint: 'sites' } }), { 'sites 200': (r) => r.status === 200 });
      check(http.get(`${API_URL}/v1/orgs`, { headers: auth, tags: { endpoint: 'orgs' } }), { 'orgs 200': (r) => r.status === 200 });
    });
  }
  sleep(0.1);
}
