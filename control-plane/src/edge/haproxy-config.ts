// Renders HAProxy's configuration from the route table. Host routing goes through a map file, so a
// site falling asleep or waking changes one map entry over the runtime API (no reload); adding a
// site or changing its replicas rewrites the file and reloads the master, which hands the
// listening sockets to the new worker (expose-fd listeners) while the old one finishes its
// requests and closes idle keep-alive connections only after a response (idle-close-on-response).
import { join } from 'node:path';
import { backendName, BACKEND_ACTIVATOR, BACKEND_SUSPENDED, BACKEND_UNKNOWN, hostMap, type RouteTable, type Upstream } from './route-table.js';

export interface HaproxyLayout {
  /** Folder holding haproxy.cfg, hosts.map, the pages and the sockets. */
  dir: string;
  bind: string;
  port: number;
  activator: Upstream;
  /** Whole seconds an old worker may take to finish its requests after a reload. */
  hardStopAfterSeconds?: number;
  /** Concurrent connections in all; HAProxy needs about twice as many file descriptors. */
  maxconn?: number;
}

export const files = (dir: string) => ({
  config: join(dir, 'haproxy.cfg'),
  map: join(dir, 'hosts.map'),
  notFound: join(dir, '404.html'),
  suspended: join(dir, '503.html'),
  adminSocket: join(dir, 'admin.sock'),
  masterSocket: join(dir, 'master.sock'),
  pid: join(dir, 'haproxy.pid'),
});

export function renderMap(table: RouteTable): string {
  return [...hostMap(table)].sort(([a], [b]) => a.localeCompare(b)).map(([h, b]) => `${h} ${b}`).join('\n') + '\n';
}

export function renderConfig(table: RouteTable, layout: HaproxyLayout): string {
  const f = files(layout.dir);
  const lines = [
    'global',
    '  master-worker',
    `  stats socket ${f.adminSocket} mode 600 level admin expose-fd listeners`,
    `  hard-stop-after ${layout.hardStopAfterSeconds ?? 30}s`,
    `  maxconn ${layout.maxconn ?? 4000}`,
    '  log stdout format raw local0 info',
    '',
    'defaults',
    '  mode http',
    '  log global',
    '  option idle-close-on-response',
    '  option forwardfor',
    '  option redispatch',
    '  retries 2',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-request 10s',
    '  timeout http-keep-alive 10s',
    '  timeout queue 30s',
    // one access line per request: site backend, status, total time, bytes, method and path
    '  log-format "%b %ST %Ta %B %HM %HU"',
    '',
    'frontend sites',
    `  bind ${layout.bind}:${layout.port}`,
    '  http-request set-var(txn.site_host) req.hdr(host),field(1,:),lower',
    `  use_backend %[var(txn.site_host),map(${f.map},${BACKEND_UNKNOWN})]`,
    `  default_backend ${BACKEND_UNKNOWN}`,
    '',
    `backend ${BACKEND_UNKNOWN}`,
    `  http-request return status 404 content-type "text/html; charset=utf-8" file ${f.notFound}`,
    '',
    `backend ${BACKEND_SUSPENDED}`,
    `  http-request return status 503 content-type "text/html; charset=utf-8" file ${f.suspended}`,
    '',
    `backend ${BACKEND_ACTIVATOR}`,
    '  timeout server 60s',
    `  server activator ${layout.activator.host}:${layout.activator.port}`,
    '',
  ];
  for (const s of [...table.sites].sort((a, b) => a.site.localeCompare(b.site))) {
    lines.push(`backend ${backendName(s.site)}`, '  balance leastconn');
    s.upstreams.forEach((u, i) => lines.push(`  server r${i} ${u.host}:${u.port} maxconn 256`));
    if (s.upstreams.length === 0) lines.push(`  server none ${layout.activator.host}:${layout.activator.port}`);
    lines.push('');
  }
  return lines.join('\n');
}
