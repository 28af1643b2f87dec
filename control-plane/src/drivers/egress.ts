// Where a tenant container may connect (README, "Security"): to its database
// and cache servers and the internet, never to link-local addresses (cloud metadata services at
// 169.254.169.254) nor to the host's own services — the API, dashboard, edge admin, a Docker API on
// TCP, the platform's Postgres and Redis.
//
// Enforced with iptables rules of Paddock's own, one chain for the whole host: PADDOCK-TENANTS,
// jumped to for packets that come in on a site's bridge, from INPUT (a container's connection to
// the host — its gateway, or any other address of the host — is delivered locally, through INPUT,
// never FORWARD) and from DOCKER-USER (what the host forwards: link-local and the internet). The
// docker driver names every site bridge `pdk-<hash>`, so one wildcard (`pdk-+`) matches them all:
// no rule changes per site, and other Docker networks are left alone.
//
// To the host, only the tenant database and cache servers' ports are let through (and the edge's
// public port and DNS: what anyone may reach anyway). Refused packets get "administratively
// prohibited" at once rather than being dropped, so a site sees an error, not a hang.
import { createHash } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import type { Config } from '../config.js';

export const EGRESS_CHAIN = 'PADDOCK-TENANTS';
/** Every site bridge's interface name starts with this; iptables matches `pdk-+`. */
export const BRIDGE_PREFIX = 'pdk-';
const LINK_LOCAL = '169.254.0.0/16';
const REJECT = ['-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited'];

/** What tenant containers may reach on the host itself; everything else of the host is refused. */
export interface TenantEgress {
  /** TCP ports of the host open to tenant containers: its tenant Postgres and cache servers, the edge. */
  hostTcpPorts: number[];
}

/** The bridge interface of a site network: `pdk-` and 11 hex digits (interface names hold 15 characters). */
export function bridgeName(network: string): string {
  return `${BRIDGE_PREFIX}${createHash('sha256').update(network).digest('hex').slice(0, 11)}`;
}

function isThisHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  if (['localhost', '0.0.0.0', '::', '::1'].includes(h) || h.startsWith('127.')) return true;
  return Object.values(networkInterfaces()).some((addrs) => addrs?.some((a) => a.address === h));
}

/**
 * The policy the configuration implies: the ports of the tenant pool servers that run on this host
 * (a container reaches them at its network's gateway) and the edge's; `null` when it is off.
 */
export function tenantEgress(config: Pick<Config, 'pgAdminUrls' | 'cacheAdminUrls' | 'edgePort' | 'egressPolicy'>): TenantEgress | null {
  if (config.egressPolicy === 'off') return null;
  const ports = new Set<number>([config.edgePort]);
  const add = (urls: readonly string[], defaultPort: number) => {
    for (const u of urls) {
      const url = new URL(u);
      if (isThisHost(url.hostname)) ports.add(Number(url.port || defaultPort));
    }
  };
  add(config.pgAdminUrls, 5432);
  add(config.cacheAdminUrls, 6379);
  return { hostTcpPorts: [...ports].filter((p) => p > 0).sort((a, b) => a - b) };
}

/** The chain's rules, in order, as iptables arguments after `-A PADDOCK-TENANTS`. */
export function egressRules(policy: TenantEgress): string[][] {
  const toHost = ['-m', 'addrtype', '--dst-type', 'LOCAL'];
  return [
    // Replies: to the edge and health checks the host opened, and what the container opened itself.
    ['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'RETURN'],
    ['-d', LINK_LOCAL, ...REJECT],
    // A port another container published on the host: the host's, whatever it forwards to.
    ['-m', 'conntrack', '--ctstate', 'DNAT', ...REJECT],
    ...(policy.hostTcpPorts.length ? [['-p', 'tcp', ...toHost, '-m', 'multiport', '--dports', policy.hostTcpPorts.join(','), '-j', 'RETURN']] : []),
    ['-p', 'udp', ...toHost, '--dport', '53', '-j', 'RETURN'],
    ['-p', 'tcp', ...toHost, '--dport', '53', '-j', 'RETURN'],
    ['-p', 'tcp', ...toHost, '-j', 'REJECT', '--reject-with', 'tcp-reset'],
    [...toHost, ...REJECT],
    ['-m', 'addrtype', '--dst-type', 'BROADCAST', '-j', 'DROP'],
    ['-m', 'addrtype', '--dst-type', 'MULTICAST', '-j', 'DROP'],
  ];
}

/** Where the chain is jumped to from: the host's input, and Docker's hook into forwarding. */
export const EGRESS_HOOKS = ['INPUT', 'DOCKER-USER'] as const;

function iptablesError(err: Error & { code?: unknown; stderr?: string }, args: string[]): Error {
  if (err.code === 'ENOENT') {
    return new Error("The docker driver cannot enforce tenant containers' egress policy: iptables is not installed. "
      + 'Install it (Debian: `apt-get install iptables`; `npm start` does), or set PADDOCK_EGRESS_POLICY=off if you filter tenant traffic yourself.');
  }
  const detail = (err.stderr ?? err.message).trim();
  const hint = /permission denied|must be root/i.test(detail)
    ? 'Run the control plane as root (it also needs the Docker engine), or install the rules yourself and set PADDOCK_EGRESS_POLICY=off.'
    : 'Check that iptables works on this host (`iptables -S`), then try again.';
  return new Error(`The docker driver could not install tenant containers' egress policy (iptables ${args.join(' ')}: ${detail}). ${hint}`);
}

function iptables(args: string[]): Promise<{ ok: boolean }> {
  return new Promise((resolve, reject) => {
    execFile('iptables', ['-w', ...args], (err, _stdout, stderr) => {
      if (!err) return resolve({ ok: true });
      // `-C` answers 1 when the rule is not there: an answer, not a failure.
      if (args[0] === '-C' && (err as { code?: unknown }).code === 1) return resolve({ ok: false });
      reject(iptablesError(Object.assign(err, { stderr }), args));
    });
  });
}

function restore(input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('iptables-restore', ['-w', '--noflush'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', (err) => reject(iptablesError(err, ['-restore'])));
    child.on('close', (code) => (code === 0 ? resolve() : reject(iptablesError(Object.assign(new Error(`exited with ${code}`), { stderr }), ['-restore']))));
    child.stdin.end(input);
  });
}

/**
 * Installs the policy: the chain's rules replaced in one transaction (a chain named in
 * `iptables-restore --noflush` input is emptied first, and rules go in atomically), then the jumps
 * to it added where missing, first in their chains. Idempotent: every process may run it, often.
 */
export async function installEgressPolicy(policy: TenantEgress): Promise<void> {
  const rules = egressRules(policy).map((r) => `-A ${EGRESS_CHAIN} ${r.join(' ')}`);
  await restore(['*filter', `:${EGRESS_CHAIN} - [0:0]`, `-F ${EGRESS_CHAIN}`, ...rules, 'COMMIT', ''].join('\n'));
  for (const hook of EGRESS_HOOKS) {
    // Without Docker's iptables integration there is no DOCKER-USER: hook forwarding directly.
    const chain = hook === 'DOCKER-USER' && !(await iptables(['-n', '-L', 'DOCKER-USER']).catch(() => ({ ok: false }))).ok ? 'FORWARD' : hook;
    const jump = ['-i', `${BRIDGE_PREFIX}+`, '-j', EGRESS_CHAIN];
    if (!(await iptables(['-C', chain, ...jump])).ok) await iptables(['-I', chain, '1', ...jump]);
  }
}
