// Zero-downtime check for operators: constant traffic to one site through the edge while you
// deploy it (`paddock push` in another terminal). Every non-2xx/3xx response or connection
// error counts as failed; the run fails if any request failed. With RELEASE_HEADER set to a
// response header that names the release (one your site sets), the per-release counts show
// the switch from old to new.
//
//   k6 run loadtests/k6/deploy-under-load.js -e EDGE_URL=http://127.0.0.1:8080 -e SITE=blog \
//     -e DURATION=60s [-e RELEASE_HEADER=X-Release]
/* global __ENV -- k6 passes -e NAME=value here */
import http from 'k6/http';
import { Counter } from 'k6/metrics';

const EDGE_URL = __ENV.EDGE_URL || 'http://127.0.0.1:8080';
const HOST = `${__ENV.SITE || 'hello'}.${__ENV.DOMAIN || 'localhost'}`;
const RELEASE_HEADER = __ENV.RELEASE_HEADER || '';

const failed = new Counter('paddock_failed_requests');
const byRelease = new Counter('paddock_responses_by_release');

export const options = {
  scenarios: {
    steady: { executor: 'constant-vus', vus: Number(__ENV.VUS || 8), duration: __ENV.DURATION || '60s' },
  },
  thresholds: { paddock_failed_requests: ['count==0'] },
};

export default function () {
  const res = http.get(`${EDGE_URL}/`, { headers: { Host: HOST }, redirects: 0, timeout: '5s' });
  if (res.status < 200 || res.status >= 400) failed.add(1, { status: String(res.status), error: res.error_code ? String(res.error_code) : '' });
  else byRelease.add(1, { release: (RELEASE_HEADER && res.headers[RELEASE_HEADER]) || 'unknown' });
}
