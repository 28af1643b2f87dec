// HTTPS for one edge: which certificates its HAProxy serves, read from the platform database (the
// one source every edge loads from, at start and on every route sync), and, with a dev CA, a
// certificate for each platform subdomain that has none (or one expiring within 30 days).
// Only hosts the edge routes are served: a domain removed from its site loses its certificate.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { SecretBox } from '../secrets/box.js';
import type { Db } from '../store/db.js';
import type { EdgeTlsLayout } from '../edge/haproxy-config.js';
import type { HaproxyEdge } from '../edge/haproxy.js';
import type { RouteTable } from '../edge/route-table.js';
import { certificateSerials, saveCertificate, servedCertificates } from './certificates.js';
import { EdgeCertificates } from './edge-certificates.js';
import { issueFromCa, type LocalCa } from './pem.js';
import { certificatesDb } from './tables.js';

export interface EdgeTlsOptions {
  port: number;
  /** HSTS max-age for platform subdomains; 0: none. */
  hstsSeconds: number;
  /** Signs a certificate for every platform subdomain without one (development). */
  devCa?: LocalCa;
}

/** A certificate this close to expiry is made again (dev CA) or renewed (ACME). */
export const RENEW_BEFORE_MS = 30 * 86400_000;

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

  constructor(
    private readonly platform: { db: Db; secrets: SecretBox; logger: Logger; config: { siteDomain: string } },
    dir: string,
    private readonly opts: EdgeTlsOptions,
  ) {
    this.certificates = new EdgeCertificates(dir);
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
