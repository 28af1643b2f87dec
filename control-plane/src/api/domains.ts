// Custom domains of a site. A name under the site's own platform subdomain is verified at once
// (the platform owns it; names under other sites' subdomains are refused); any other needs a DNS
// TXT record `_paddock-challenge.<host>` holding the token. Once verified, the edge routes it to the site, and (with
// PADDOCK_ACME_DIRECTORY) a certificate is ordered for it; each domain shows its certificate's state.
// Adding, verifying and removing a domain are audited (the site is the target, the host in the details).
import { resolveTxt } from 'node:dns/promises';
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errors } from '../errors.js';
import { audit } from '../audit/audit.js';
import { createRerelease, currentRelease } from '../releases/deploys.js';
import { deployDb } from '../releases/tables.js';
import { deployRuntimeOf } from '../releases/deploy-runtime.js';
import { refuseWhileSuspended } from '../sites/sites.js';
import { DnsLabel, errorResponses } from './schemas.js';
import { certificateStatuses, type CertificateStatus } from '../certificates/issuance.js';
import { enqueueCertificate } from '../jobs/certificates.js';

const Hostname = Type.String({ pattern: '^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$', maxLength: 253 });
const DomainOut = Type.Object({
  hostname: Type.String(),
  verified: Type.Boolean(),
  status: Type.String(),
  verification: Type.Union([Type.Object({ type: Type.String(), name: Type.String(), value: Type.String() }), Type.Null()]),
  certificate: Type.Union([Type.Object({
    state: Type.Union([Type.Literal('pending'), Type.Literal('issued'), Type.Literal('renewing'), Type.Literal('failed')]),
    expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()], { description: 'why the last issuance failed' }),
    retryAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'when a failed issuance is tried again' }),
  }), Type.Null()], { description: 'the HTTPS certificate: null until one is asked for' }),
});

export const domainsPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const p = app.platform;
  const db = deployDb(p.db);
  const tags = ['domains'];
  const out = (d: { host: string; verified_at: Date | null; verification_token: string }, certificate: CertificateStatus | undefined = undefined) => ({
    hostname: d.host, verified: d.verified_at !== null, status: d.verified_at ? 'verified' : 'pending',
    verification: d.verified_at ? null : { type: 'TXT', name: `_paddock-challenge.${d.host}`, value: d.verification_token },
    certificate: certificate ?? null,
  });
  /** Routes and ALLOWED_HOSTS follow the verified domains: tell the edge, re-release a live site. */
  const changed = async (site: Parameters<typeof createRerelease>[1], accountId: string) => {
    await deployRuntimeOf(p).edge.changed(5000).catch(() => undefined);
    if (await currentRelease({ platform: p }, site.id)) await createRerelease(deployRuntimeOf(p), site, 'env', { createdBy: accountId });
  };

  app.get('/v1/sites/:site/domains', {
    config: { auth: { scope: 'read', site: 'read' } },
    schema: { tags, summary: "A site's custom domains", params: Type.Object({ site: DnsLabel }), response: { 200: Type.Object({ domains: Type.Array(DomainOut) }), ...errorResponses } },
  }, async (request) => {
    const { site } = request.siteAccess;
    const rows = await db.selectFrom('site_domains').selectAll().where('site_id', '=', site.id).orderBy('host').execute();
    const certificates = await certificateStatuses(p.db, rows.filter((r) => r.verified_at).map((r) => r.host));
    return { domains: rows.map((r) => out(r, r.verified_at ? certificates.get(r.host) : undefined)) };
  });

  app.post('/v1/sites/:site/domains', {
    config: { auth: { scope: 'write', site: 'configureSite' } },
    schema: {
      tags, summary: 'Add a host name to a site; it is routed once verified', params: Type.Object({ site: DnsLabel }),
      body: Type.Object({ hostname: Hostname }, { additionalProperties: false }),
      response: { 201: DomainOut, ...errorResponses },
    },
  }, async (request, reply) => {
    const { auth } = request;
    const { site } = request.siteAccess;
    refuseWhileSuspended(site, 'domain changes');
    const host = request.body.hostname.toLowerCase();
    const platformDomain = p.config.siteDomain;
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
    await audit(p.db, auth.actor, { action: 'domain.add', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { hostname: host, verified: own } });
    if (own) await changed(site, auth.accountId);
    return reply.status(201).send(out(row));
  });

  app.post('/v1/sites/:site/domains/:hostname/verify', {
    config: { auth: { scope: 'write', site: 'configureSite' } },
    schema: {
      tags, summary: 'Check the TXT record of a pending domain now',
      params: Type.Object({ site: DnsLabel, hostname: Hostname }), response: { 200: DomainOut, ...errorResponses },
    },
  }, async (request) => {
    const { auth } = request;
    const { site } = request.siteAccess;
    const row = await db.selectFrom('site_domains').selectAll().where('host', '=', request.params.hostname).where('site_id', '=', site.id).executeTakeFirst();
    if (!row) throw errors.domainNotFound(request.params.hostname);
    if (row.verified_at) return out(row);
    refuseWhileSuspended(site, 'domain changes');
    const records = await resolveTxt(`_paddock-challenge.${row.host}`).catch(() => [] as string[][]);
    if (!records.some((r) => r.join('') === row.verification_token)) {
      throw errors.validation(`no TXT record _paddock-challenge.${row.host} with the value ${row.verification_token} was found yet; DNS changes can take a while`);
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
    await audit(p.db, auth.actor, { action: 'domain.verify', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { hostname: row.host } });
    await changed(site, auth.accountId);
    // With ACME configured, the certificate is ordered now (a job; its state shows in the list).
    await enqueueCertificate(p, done.host).catch((err: unknown) => request.log.warn({ err, host: done.host }, 'could not queue the certificate order; the hourly sweep will'));
    return out(done);
  });

  app.delete('/v1/sites/:site/domains/:hostname', {
    config: { auth: { scope: 'write', site: 'configureSite' } },
    schema: { tags, summary: 'Remove a domain from a site', params: Type.Object({ site: DnsLabel, hostname: Hostname }), response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    const { auth } = request;
    const { site } = request.siteAccess;
    refuseWhileSuspended(site, 'domain changes');
    const gone = await db.deleteFrom('site_domains').where('host', '=', request.params.hostname).where('site_id', '=', site.id).returningAll().executeTakeFirst();
    if (!gone) throw errors.domainNotFound(request.params.hostname);
    await audit(p.db, auth.actor, { action: 'domain.remove', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { hostname: gone.host } });
    if (gone.verified_at) await changed(site, auth.accountId);
    return reply.status(204).send(null);
  });
};
