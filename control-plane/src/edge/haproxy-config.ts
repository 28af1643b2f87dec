// Renders HAProxy's configuration from the route table. Host routing goes through a map file, so a
// site falling asleep or waking changes one map entry over the runtime API (no reload). Each
// site's backend has a fixed number of server slots: a deploy points free slots at the new
// replicas and puts the old ones in maintenance over the runtime API (no reload either). Only a
// new site, a removed one or one outgrowing its slots rewrites the file and reloads the master,
// which hands the listening sockets to the new worker (expose-fd listeners) while the old one
// finishes its requests and closes idle keep-alive connections only after a response.
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
  /** HTTPS: where it listens and what it serves (certificates/edge-certificates.ts keeps the files). */
  tls?: EdgeTlsLayout;
}

export interface EdgeTlsLayout {
  port: number;
  /** The crt-list HAProxy loads certificates from (its first entry answers unknown names). */
  crtList: string;
  /** Hosts with a certificate (`<host> 1`): plain HTTP to them is redirected to HTTPS. */
  hostsMap: string;
  /** ACME HTTP-01 challenges under way (`<token> <key authorization>`): the edge answers them itself. */
  challengesMap: string;
  /** Strict-Transport-Security max-age for platform subdomains over HTTPS; 0: none. */
  hstsSeconds: number;
  /** The platform's site domain: HSTS goes to its subdomains. */
  siteDomain: string;
}

/**
 * TLS 1.2 and 1.3 with forward-secret AEAD ciphers only (Mozilla's "intermediate" list); no session
 * tickets, whose keys would otherwise outlive a restart's forward secrecy.
 */
const TLS_GLOBAL = [
  '  ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305',
  '  ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256',
  '  ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets',
];

/** The frontend's HTTPS rules: the redirect from plain HTTP, HSTS. */
function tlsRules(tls: EdgeTlsLayout | undefined): string[] {
  if (!tls) return [];
  const port = tls.port === 443 ? '' : `:${tls.port}`;
  const lines = [
    // An ACME CA's HTTP-01 check, answered here for any host: the key authorization proves nothing
    // but that this platform asked for the certificate.
    `  http-request set-var(txn.acme) path,field(4,/),map(${tls.challengesMap}) if { path_beg /.well-known/acme-challenge/ }`,
    '  http-request return status 200 content-type "text/plain" lf-string "%[var(txn.acme)]" if { var(txn.acme) -m found }',
    // Plain HTTP to a host with a certificate goes to HTTPS, keeping method and body (308), except
    // ACME's HTTP-01 challenges, which a CA fetches over plain HTTP.
    `  http-request redirect location https://%[var(txn.site_host)]${port}%[capture.req.uri] code 308 if !{ ssl_fc } { var(txn.site_host),map(${tls.hostsMap}) -m found } !{ path_beg /.well-known/acme-challenge/ }`,
  ];
  if (tls.hstsSeconds > 0) {
    const suffix = `.${tls.siteDomain.toLowerCase()}`;
    // A site's own Strict-Transport-Security (SECURE_HSTS_SECONDS) wins over the platform's.
    lines.push(`  http-response set-header Strict-Transport-Security "max-age=${tls.hstsSeconds}" if { ssl_fc } { var(txn.site_host) -m end ${suffix} } !{ res.hdr_cnt(strict-transport-security) gt 0 }`);
  }
  return lines;
}

/**
 * Access lines per second a site's backend writes in full; above it, each request is logged with
 * probability ACCESS_LINES_PER_SECOND / rate, and its line carries the rate so the edge can weigh
 * it. A line per request to the edge's pipe cost a third of the throughput (the data plane's own
 * counters give the exact request and 5xx counts).
 */
export const ACCESS_LINES_PER_SECOND = 50;

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

/** Server slots of each site backend: an upstream or null (a disabled slot). */
export type Slots = Map<string, Array<Upstream | null>>;

const slotCount = (n: number): number => Math.max(8, 2 ** Math.ceil(Math.log2(Math.max(1, 2 * n))));
const same = (a: Upstream, b: Upstream) => a.host === b.host && a.port === b.port;

/**
 * Slots for the table, keeping every upstream where it already is (so the change can be made in
 * place) and filling free slots with the new ones; a backend that has too few slots gets more.
 */
export function assignSlots(table: RouteTable, previous: Slots = new Map()): Slots {
  const out: Slots = new Map();
  for (const s of table.sites) {
    const name = backendName(s.site);
    const before = previous.get(name);
    const size = before && before.length >= s.upstreams.length ? before.length : slotCount(s.upstreams.length);
    const slots: Array<Upstream | null> = Array.from({ length: size }, (_, i) => {
      const u = before?.[i];
      return u && s.upstreams.some((x) => same(x, u)) ? u : null;
    });
    for (const u of s.upstreams) {
      if (slots.some((x) => x && same(x, u))) continue;
      // A slot that was empty before, so the old replica's slot drains untouched.
      let free = slots.findIndex((x, i) => x === null && !before?.[i]);
      if (free < 0) free = slots.indexOf(null);
      slots[free] = u;
    }
    out.set(name, slots);
  }
  return out;
}

/** What needs a reload when it changes: the backends and their slot counts. */
export function structureOf(slots: Slots): string {
  return [...slots].map(([b, s]) => `${b}/${s.length}`).sort().join(',');
}

export function renderConfig(table: RouteTable, layout: HaproxyLayout, slots: Slots = assignSlots(table)): string {
  const f = files(layout.dir);
  const lines = [
    'global',
    '  master-worker',
    `  stats socket ${f.adminSocket} mode 600 level admin expose-fd listeners`,
    `  hard-stop-after ${layout.hardStopAfterSeconds ?? 30}s`,
    `  maxconn ${layout.maxconn ?? 4000}`,
    '  log stdout format raw local0 info',
    ...(layout.tls ? TLS_GLOBAL : []),
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
    // An access line: site backend, its request rate when sampled, status, total time, bytes, method, path.
    '  log-format "%b %[var(txn.rate)] %ST %Ta %B %HM %HU"',
    '',
    'frontend sites',
    `  bind ${layout.bind}:${layout.port}`,
    ...(layout.tls ? [`  bind ${layout.bind}:${layout.tls.port} ssl crt-list ${layout.tls.crtList} alpn h2,http/1.1`] : []),
    // Two Host headers could route by one and be served by the other: refuse them.
    '  http-request deny deny_status 400 if { req.hdr_cnt(host) gt 1 }',
    '  http-request set-var(txn.site_host) req.hdr(host),field(1,:),lower',
    // Sites believe X-Forwarded-Proto (the platform sets SECURE_PROXY_SSL_HEADER): the edge always
    // sets it, so a visitor's own header never reaches a site.
    '  http-request set-header X-Forwarded-Proto https if { ssl_fc }',
    '  http-request set-header X-Forwarded-Proto http if !{ ssl_fc }',
    ...tlsRules(layout.tls),
    `  use_backend %[var(txn.site_host),map(${f.map},${BACKEND_UNKNOWN})]`,
    `  default_backend ${BACKEND_UNKNOWN}`,
    '',
    // The edge reads only site backends' lines: the others are not written at all.
    `backend ${BACKEND_UNKNOWN}`,
    '  http-request set-log-level silent',
    `  http-request return status 404 content-type "text/html; charset=utf-8" file ${f.notFound}`,
    '',
    `backend ${BACKEND_SUSPENDED}`,
    '  http-request set-log-level silent',
    `  http-request return status 503 content-type "text/html; charset=utf-8" file ${f.suspended}`,
    '',
    `backend ${BACKEND_ACTIVATOR}`,
    '  http-request set-log-level silent',
    '  timeout server 60s',
    `  server activator ${layout.activator.host}:${layout.activator.port}`,
    '',
  ];
  for (const [backend, list] of [...slots].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(
      `backend ${backend}`,
      '  balance leastconn',
      // be_sess_rate: this backend's requests in the last second (a stream per request).
      '  http-response set-var(txn.rate) be_sess_rate',
      `  http-response set-log-level silent if { var(txn.rate) -m int gt ${ACCESS_LINES_PER_SECOND} } { rand(1000000),mul(txn.rate),div(1000000) -m int ge ${ACCESS_LINES_PER_SECOND} }`,
    );
    list.forEach((u, i) => lines.push(u ? `  server s${i} ${u.host}:${u.port} maxconn 256` : `  server s${i} 127.0.0.1:1 maxconn 256 disabled`));
    lines.push('');
  }
  return lines.join('\n');
}
