// HTTPS for one edge: which certificates its HAProxy serves, read from the platform database (the
// one source every edge loads from, at start and on every route sync), and, with a dev CA, a
// certificate for each platform subdomain that has none (or one expiring within 30 days).
// Only hosts the edge routes are served: a domain removed from its site loses its certificate.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { SecretBox } from '../secrets/box.js';
import type { Db } from '../store/db.js';
import type { EdgeTlsLayout } from './haproxy-config.js';
import type { HaproxyEdge } from './haproxy.js';
import type { RouteTable } from './route-table.js';
import { certificateSerials, RENEW_BEFORE_MS, saveCertificate, servedCertificates } from '../certificates/certificates.js';
import { EdgeCertificates } from '../certificates/edge-certificates.js';
import { issueFromCa, type LocalCa } from '../certificates/pem.js';
import { certificatesDb } from '../certificates/tables.js';

export interface EdgeTlsOptions {
  port: number;
  /** HSTS max-age for platform subdomains; 0: none. */
  hstsSeconds: number;
  /** Signs a certificate for every platform subdomain without one (development). */
  devCa?: LocalCa;
}


/** A served certificate this close to expiry gets an alert line (a renewal that keeps failing). */
export const ALERT_BEFORE_MS = 7 * 86400_000;

/** Reads the dev CA from PADDOCK_DEV_CA_DIR (ca.crt, ca.key), saying what is wrong when it cannot. */
export function readDevCa(dir: string): LocalCa {
  try {
    return { certPem: readFileSync(join(dir, 'ca.crt'), 'utf8'), keyPem: readFileSync(join(dir, 'ca.key'), 'utf8') };
  } catch (err) {
    throw new Error(`PADDOCK_DEV_CA_DIR=${dir} holds no readable ca.crt and ca.key (${(err as Error).message}). Run \`npm start\` (it makes them), or unset PADDOCK_DEV_CA_DIR.`, { cause: err });
  }
}

export class EdgeTls {
  readonly certificates: EdgeCertificates;
  private readonly metrics;
  /** Hosts alerted about, and when: one line an hour per host. */
  private alerted = new Map<string, number>();

  constructor(
    private readonly platform: { db: Db; secrets: SecretBox; logger: Logger; config: { siteDomain: string } },
    dir: string,
    private readonly opts: EdgeTlsOptions,
    registry?: Registry,
  ) {
    this.certificates = new EdgeCertificates(dir);
    const registers = registry ? [registry] : [];
    this.metrics = {
      byState: new Gauge({ name: 'paddock_certificates', help: 'Certificates of the hosts this edge routes, by state (issued, pending, renewing, failed; custom domains and platform subdomains)', labelNames: ['state'], registers }),
      daysLeft: new Gauge({ name: 'paddock_certificate_days_to_expiry', help: 'Days until each served certificate expires', labelNames: ['host'], registers }),
      expiring: new Gauge({ name: 'paddock_certificates_expiring_soon', help: 'Served certificates within 7 days of expiry (renewal keeps failing: act)', registers }),
    };
  }

  get layout(): EdgeTlsLayout {
    return {
      port: this.opts.port,
      crtList: this.certificates.files.crtList,
      hostsMap: this.certificates.files.hostsMap,
      challengesMap: this.certificates.files.challengesMap,
      hstsSeconds: this.opts.hstsSeconds,
      siteDomain: this.platform.config.siteDomain,
    };
  }

  /** Writes the certificate files HAProxy starts from; call before it starts. */
  async prepare(table: RouteTable): Promise<void> {
    await this.issueMissing(table);
    await this.certificates.prepare(await this.wanted(table));
  }

  /** Brings the running HAProxy's certificates to the database's, over the runtime API. */
  async sync(table: RouteTable, haproxy: HaproxyEdge): Promise<void> {
    await this.issueMissing(table);
    const hosts = new Set(table.sites.flatMap((s) => s.hosts));
    const want = (await certificateSerials(this.platform.db)).filter((c) => hosts.has(c.host));
    const load = (changed: string[]) => servedCertificates(this.platform.db, this.platform.secrets, changed);
    const challenges = await certificatesDb(this.platform.db).selectFrom('acme_challenges').select(['token', 'key_authorization as keyAuthorization']).execute();
    const changed = await haproxy.exclusive(async (run) => {
      await this.certificates.applyChallenges(challenges, run);
      return this.certificates.applyChanged(want, load, run);
    });
    if (changed.added.length || changed.replaced.length || changed.removed.length) this.platform.logger.info(changed, 'edge certificates changed');
    await this.observe([...hosts]);
  }

  /** Metrics by state and days to expiry, and an alert line for a certificate within 7 days of expiry. */
  private async observe(hosts: string[]): Promise<void> {
    if (hosts.length === 0) return;
    const c = certificatesDb(this.platform.db);
    const [certs, states] = await Promise.all([
      c.selectFrom('certificates').select(['host', 'not_after']).where('host', 'in', hosts).execute(),
      c.selectFrom('certificate_states').select(['host', 'state']).where('host', 'in', hosts).execute(),
    ]);
    const stateOf = new Map(states.map((s) => [s.host, s.state as string]));
    for (const k of certs) if (!stateOf.has(k.host)) stateOf.set(k.host, 'issued');
    this.metrics.byState.reset();
    for (const s of stateOf.values()) this.metrics.byState.inc({ state: s });
    this.metrics.daysLeft.reset();
    let expiring = 0;
    const now = Date.now();
    for (const k of certs) {
      const left = k.not_after.getTime() - now;
      this.metrics.daysLeft.set({ host: k.host }, Math.floor(left / 86400_000));
      if (left > ALERT_BEFORE_MS) continue;
      expiring++;
      if (now - (this.alerted.get(k.host) ?? 0) < 3600_000) continue;
      this.alerted.set(k.host, now);
      this.platform.logger.error({ host: k.host, expiresAt: k.not_after.toISOString(), state: stateOf.get(k.host) }, 'ALERT: certificate expires within 7 days and has not been renewed; see `paddock domains` for why');
    }
    this.metrics.expiring.set(expiring);
  }

  private async wanted(table: RouteTable) {
    const hosts = new Set(table.sites.flatMap((s) => s.hosts));
    return (await servedCertificates(this.platform.db, this.platform.secrets)).filter((c) => hosts.has(c.host));
  }

  /** With a dev CA: a certificate for each platform subdomain routed here that lacks a fresh one. */
  private async issueMissing(table: RouteTable): Promise<void> {
    const ca = this.opts.devCa;
    if (!ca) return;
    const suffix = `.${this.platform.config.siteDomain.toLowerCase()}`;
    const platformHosts = table.sites.flatMap((s) => s.hosts).filter((h) => h.endsWith(suffix));
    if (platformHosts.length === 0) return;
    const fresh = new Set((await certificatesDb(this.platform.db).selectFrom('certificates').select('host')
      .where('host', 'in', platformHosts).where('not_after', '>', new Date(Date.now() + RENEW_BEFORE_MS)).execute()).map((r) => r.host));
    for (const host of platformHosts.filter((h) => !fresh.has(h))) {
      await saveCertificate(this.platform.db, this.platform.secrets, host, await issueFromCa(ca, [host]), 'dev-ca');
    }
  }
}
