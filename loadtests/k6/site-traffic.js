// Visitors browsing tenant sites through the edge: spreads requests over many site host names
// and checks that the edge answers every one of them (no 5xx, no connection errors).
//
//   k6 run loadtests/k6/site-traffic.js \
//     -e EDGE_URL=http://127.0.0.1:8080 -e SITES=blog,shop,docs -e PATHS=/,/feed/ \
//     -e RATE=200 -e DURATION=60s
//
// The edge routes by Host, so requests go to EDGE_URL with `Host: <site>.<DOMAIN>` (DOMAIN
// defaults to "localhost", the dev default). Thresholds fail the run on any failed request or a
// p99 above P99_MS.
/* global __ENV -- k6 passes -e NAME=value here */
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';

const EDGE_URL = __ENV.EDGE_URL || 'http://127.0.0.1:8080';
const DOMAIN = __ENV.DOMAIN || 'localhost';
const SITES = (__ENV.SITES || 'hello').split(',').map((s) => s.trim()).filter(Boolean);
const PATHS = (__ENV.PATHS || '/').split(',').map((s) => s.trim()).filter(Boolean);
const RATE = Number(__ENV.RATE || 100);
const DURATION = __ENV.DURATION || '30s';
const P99_MS = Number(__ENV.P99_MS || 250);

const failed = new Counter('paddock_failed_requests');

export const options = {
  scenarios: {
    visitors: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: Math.max(10, Math.ceil(RATE / 10)),
      maxVUs: Math.max(50, RATE),
    },
  },
  thresholds: {
    paddock_failed_requests: ['count==0'],
    http_req_failed: ['rate==0'],
    'http_req_duration{expected_response:true}': [`p(99)<${P99_MS}`],
  },
};

export default function () {
  const site = SITES[Math.floor(Math.random() * SITES.length)];
  const path = PATHS[Math.floor(Math.random() * PATHS.length)];
  const res = http.get(`${EDGE_URL}${path}`, {
    headers: { Host: `${site}.${DOMAIN}` },
    tags: { site, path },
    redirects: 0,
  });
  const ok = check(res, { 'status is 2xx/3xx': (r) => r.status >= 200 && r.status < 400 });
  if (!ok) failed.add(1, { site, status: String(res.status) });
}
