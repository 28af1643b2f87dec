// A custom domain's certificate, issued and renewed by ACME: only for a verified domain of a live
// site (never a platform subdomain), one issuer at a time across workers (a Postgres advisory
// lock), and idempotent (a fresh certificate is left alone unless forced). Its state — pending,
// issued, renewing, failed with the reason and a retry time — is kept per host; a failure backs
// off and leaves the certificate already served in place.
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { errors } from '../errors.js';
import type { EdgeSignal } from '../platform/edge-signal.js';
import type { SecretBox } from '../secrets/box.js';
import type { Db } from '../store/db.js';
import type { Platform } from '../platform/platform.js';
import { orderCertificate, type AcmeSettings } from './acme.js';
import { saveCertificate } from './certificates.js';
import { RENEW_BEFORE_MS } from './certificates.js';
import { certificatesDb, type CertificateState } from './tables.js';

export interface IssuanceDeps {
  db: Db;
  secrets: SecretBox;
  logger: Logger;
  edge: EdgeSignal;
  siteDomain: string;
  acme: AcmeSettings;
}

/** A domain's certificate as the API shows it. */
export interface CertificateStatus {
  state: CertificateState;
  expiresAt: string | null;
  error: string | null;
  retryAt: string | null;
}

/** Delay before a failed issuance is tried again: 5 minutes, doubling, at most a day. */
export const retryDelayMs = (attempts: number): number => Math.min(24 * 3600_000, 5 * 60_000 * 2 ** Math.max(0, attempts - 1));

const LOCK = "hashtext('paddock-acme-issuer')";

/** Why `host` may not get a certificate now, or undefined when it may. */
async function refusal(deps: IssuanceDeps, host: string): Promise<string | undefined> {
  if (host.endsWith(`.${deps.siteDomain}`) || host === deps.siteDomain) return 'platform subdomains are covered by the platform\'s own certificate';
  const row = await deps.db.selectFrom('site_domains').innerJoin('sites', 'sites.id', 'site_domains.site_id')
    .select(['sites.status', 'site_domains.verified_at']).where('site_domains.host', '=', host).where('site_domains.verified_at', 'is not', null).executeTakeFirst();
  if (!row) return 'it is not a verified domain of any site; add it and check its TXT record first (`paddock domains:add`)';
  if (row.status !== 'ready') return `its site is ${row.status}, not live`;
  return undefined;
}

async function setState(deps: IssuanceDeps, host: string, state: CertificateState, extra: { last_error?: string | null; retry_at?: Date | null; attempts?: number } = {}): Promise<void> {
  const values = { host, state, last_error: extra.last_error ?? null, retry_at: extra.retry_at ?? null, ...(extra.attempts !== undefined ? { attempts: extra.attempts } : {}) };
  await certificatesDb(deps.db).insertInto('certificate_states').values(values)
    .onConflict((oc) => oc.column('host').doUpdateSet({ ...values, updated_at: new Date() })).execute();
}

/** The certificate state of each of `hosts` (absent: never asked for). */
export async function certificateStatuses(db: Db, hosts: string[]): Promise<Map<string, CertificateStatus>> {
  if (hosts.length === 0) return new Map();
  const c = certificatesDb(db);
  const [states, certs] = await Promise.all([
    c.selectFrom('certificate_states').selectAll().where('host', 'in', hosts).execute(),
    c.selectFrom('certificates').select(['host', 'not_after']).where('host', 'in', hosts).execute(),
  ]);
  const expiry = new Map(certs.map((r) => [r.host, r.not_after]));
  const out = new Map<string, CertificateStatus>();
  for (const s of states) {
    out.set(s.host, { state: s.state, expiresAt: expiry.get(s.host)?.toISOString() ?? null, error: s.last_error, retryAt: s.retry_at?.toISOString() ?? null });
  }
  // A certificate stored without an ACME state (an operator's): issued.
  for (const [host, notAfter] of expiry) if (!out.has(host)) out.set(host, { state: 'issued', expiresAt: notAfter.toISOString(), error: null, retryAt: null });
  return out;
}

/**
 * Issues (or renews) the certificate of `host`; resolves with its state afterwards. Throws
 * PDK_CERTIFICATE_NOT_ELIGIBLE, without any order, for a domain that may not get one. A CA's
 * refusal is recorded as `failed` (not thrown): the sweep tries again at `retryAt`.
 */
export async function issueCertificate(deps: IssuanceDeps, hostName: string, opts: { force?: boolean } = {}): Promise<CertificateStatus> {
  const host = hostName.toLowerCase();
  const refused = await refusal(deps, host);
  if (refused) throw errors.certificateNotEligible(host, refused);
  const c = certificatesDb(deps.db);
  return deps.db.connection().execute(async (conn) => {
    // One issuer at a time across workers: orders count against the CA's limits per account.
    await sql`select pg_advisory_lock(${sql.raw(LOCK)})`.execute(conn);
    try {
      const current = await c.selectFrom('certificates').select(['not_after', 'source']).where('host', '=', host).executeTakeFirst();
      const status = async () => (await certificateStatuses(deps.db, [host])).get(host)!;
      if (current && !opts.force && current.not_after.getTime() > Date.now() + RENEW_BEFORE_MS) {
        await setState(deps, host, 'issued', { attempts: 0 });
        return status();
      }
      const before = await c.selectFrom('certificate_states').select('attempts').where('host', '=', host).executeTakeFirst();
      await setState(deps, host, current ? 'renewing' : 'pending', { ...(before ? { attempts: before.attempts } : {}) });
      try {
        const pair = await orderCertificate({ db: deps.db, secrets: deps.secrets, challengesPublished: () => deps.edge.changed(15_000).then(() => undefined) }, deps.acme, host);
        await saveCertificate(deps.db, deps.secrets, host, pair, 'acme');
        await setState(deps, host, 'issued', { attempts: 0 });
        deps.logger.info({ host }, 'certificate issued');
        // Every edge loads it now rather than at its next periodic sync.
        await deps.edge.changed(15_000).catch((err: unknown) => deps.logger.warn({ err, host }, 'edges did not confirm the new certificate yet'));
      } catch (err) {
        const attempts = (before?.attempts ?? 0) + 1;
        const message = err instanceof Error ? err.message : String(err);
        // The old certificate (if any) keeps serving: it is not touched.
        await setState(deps, host, 'failed', { last_error: message.slice(0, 1000), retry_at: new Date(Date.now() + retryDelayMs(attempts)), attempts });
        deps.logger.warn({ err, host, attempts }, 'certificate issuance failed; it will be tried again');
      }
      return status();
    } finally {
      await sql`select pg_advisory_unlock(${sql.raw(LOCK)})`.execute(conn).catch(() => undefined);
    }
  });
}

/**
 * Hosts that need an issuance now: verified custom domains of live sites without a certificate or
 * a state, ACME certificates within 30 days of expiry, and failures whose retry time has come.
 */
export async function dueForIssuance(deps: Pick<IssuanceDeps, 'db' | 'siteDomain'>, now = new Date()): Promise<string[]> {
  const domains = await deps.db.selectFrom('site_domains').innerJoin('sites', 'sites.id', 'site_domains.site_id')
    .select('site_domains.host').where('site_domains.verified_at', 'is not', null).where('sites.status', '=', 'ready').execute();
  const hosts = domains.map((d) => d.host).filter((h) => !h.endsWith(`.${deps.siteDomain}`));
  if (hosts.length === 0) return [];
  const c = certificatesDb(deps.db);
  const [states, certs] = await Promise.all([
    c.selectFrom('certificate_states').select(['host', 'state', 'retry_at']).where('host', 'in', hosts).execute(),
    c.selectFrom('certificates').select(['host', 'not_after', 'source']).where('host', 'in', hosts).execute(),
  ]);
  const state = new Map(states.map((s) => [s.host, s]));
  const cert = new Map(certs.map((r) => [r.host, r]));
  return hosts.filter((h) => {
    const s = state.get(h);
    const k = cert.get(h);
    if (s?.state === 'failed') return !s.retry_at || s.retry_at <= now;
    if (!k) return true;
    return k.source === 'acme' && k.not_after.getTime() <= now.getTime() + RENEW_BEFORE_MS;
  });
}

/** Queues the issuance of `host`'s certificate (once, however often it is asked while it waits). */
export async function enqueueCertificate(platform: Pick<Platform, 'config' | 'queues'>, host: string): Promise<void> {
  if (!platform.config.acmeDirectory) return;
  await platform.queues.certificates.add('issue', { host }, { jobId: `certificate:${host}`, attempts: 1, removeOnComplete: true, removeOnFail: true });
}
