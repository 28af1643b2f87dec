// Custom domains of a site. A name under the site's own platform subdomain is verified at once
// (the platform owns it; names under other sites' subdomains are refused); any other needs a DNS
// TXT record `_paddock-challenge.<host>` holding the token. Only a verified claim holds a name;
// once verified, the edge routes it to the site and the site's ALLOWED_HOSTS include it.
// Adding, verifying and removing a domain are audited (the site is the target, the host in the details).
import { resolveTxt } from 'node:dns/promises';
import { randomBytes } from 'node:crypto';
import { errors } from '../errors.js';
import { audit, type Actor } from '../audit/audit.js';
import { createRerelease, currentRelease } from '../releases/deploys.js';
import type { DeployRuntime } from '../platform/deploy-runtime.js';
import { refuseWhileSuspended } from '../sites/sites.js';
import type { Db } from '../store/db.js';
import type { Site, SiteDomain } from '../store/schema.js';

/** The TXT record a pending domain's owner publishes to prove it. */
export function challengeName(host: string): string {
  return `_paddock-challenge.${host}`;
}

export async function listDomains(db: Db, siteId: string): Promise<SiteDomain[]> {
  return db.selectFrom('site_domains').selectAll().where('site_id', '=', siteId).orderBy('host').execute();
}

/** Routes and ALLOWED_HOSTS follow the verified domains: tell the edge, re-release a live site. */
async function domainsChanged(deps: DeployRuntime, site: Site, accountId: string): Promise<void> {
  await deps.edge.changed(5000).catch(() => undefined);
  if (await currentRelease(deps, site.id)) await createRerelease(deps, site, 'env', { createdBy: accountId });
}

/** Claims a host name for the site: verified at once under its own subdomain, else pending its TXT record. */
export async function addDomain(deps: DeployRuntime, site: Site, hostname: string, by: { accountId: string; actor: Actor }): Promise<SiteDomain> {
  refuseWhileSuspended(site, 'domain changes');
  const { db } = deps.platform;
  const host = hostname.toLowerCase();
  const platformDomain = deps.platform.config.siteDomain;
  const own = host.endsWith(`.${platformDomain}`);
  // Such a name verifies at once, so only the site's own <site>.<domain> and names under it:
  // anything else under the platform domain is another site's (x.victim.<domain> included).
  if (own && host.slice(0, -platformDomain.length - 1).split('.').at(-1) !== site.name) throw errors.domainTaken(host);
  // Only a verified claim holds the name (a pending one proves nothing); this site's own earlier
  // claim, or a verified one elsewhere, makes the insert a no-op.
  const held = await db.selectFrom('site_domains').select('site_id').where('host', '=', host)
    .where((eb) => eb.or([eb('verified_at', 'is not', null), eb('site_id', '=', site.id)])).executeTakeFirst();
  if (held) throw errors.domainTaken(host);
  const row = await db.insertInto('site_domains').values({
    host, site_id: site.id, verification_token: `pdk-${randomBytes(16).toString('hex')}`, verified_at: own ? new Date() : null,
  }).onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst();
  if (!row) throw errors.domainTaken(host);
  await audit(db, by.actor, { action: 'domain.add', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { hostname: host, verified: own } });
  if (own) await domainsChanged(deps, site, by.accountId);
  return row;
}

/** Checks a pending domain's TXT record now; verified, the name is the site's and other sites' pending claims go. */
export async function verifyDomain(deps: DeployRuntime, site: Site, hostname: string, by: { accountId: string; actor: Actor }): Promise<SiteDomain> {
  const { db } = deps.platform;
  const row = await db.selectFrom('site_domains').selectAll().where('host', '=', hostname).where('site_id', '=', site.id).executeTakeFirst();
  if (!row) throw errors.domainNotFound(hostname);
  if (row.verified_at) return row;
  refuseWhileSuspended(site, 'domain changes');
  const records = await resolveTxt(challengeName(row.host)).catch(() => [] as string[][]);
  if (!records.some((r) => r.join('') === row.verification_token)) {
    throw errors.validation(`no TXT record ${challengeName(row.host)} with the value ${row.verification_token} was found yet; DNS changes can take a while`);
  }
  let done;
  try {
    done = await db.updateTable('site_domains').set({ verified_at: new Date() }).where('host', '=', row.host).where('site_id', '=', site.id).returningAll().executeTakeFirstOrThrow();
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw errors.domainTaken(row.host); // another site verified it first
    throw err;
  }
  // The name is this site's now: other sites' pending claims can never verify.
  await db.deleteFrom('site_domains').where('host', '=', row.host).where('site_id', '<>', site.id).where('verified_at', 'is', null).execute();
  await audit(db, by.actor, { action: 'domain.verify', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { hostname: row.host } });
  await domainsChanged(deps, site, by.accountId);
  return done;
}

export async function removeDomain(deps: DeployRuntime, site: Site, hostname: string, by: { accountId: string; actor: Actor }): Promise<void> {
  refuseWhileSuspended(site, 'domain changes');
  const gone = await deps.platform.db.deleteFrom('site_domains').where('host', '=', hostname).where('site_id', '=', site.id).returningAll().executeTakeFirst();
  if (!gone) throw errors.domainNotFound(hostname);
  await audit(deps.platform.db, by.actor, { action: 'domain.remove', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { hostname: gone.host } });
  if (gone.verified_at) await domainsChanged(deps, site, by.accountId);
}
