// Custom domains of a site over HTTP (domains/domains.ts holds the rules): list, add, verify by
// DNS TXT record, remove (each audited). Once verified, (with PADDOCK_ACME_DIRECTORY) a certificate
// is ordered for it; each domain shows its certificate's state.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { addDomain, challengeName, listDomains, removeDomain, verifyDomain } from '../domains/domains.js';
import { deployRuntimeOf } from '../platform/deploy-runtime.js';
import type { SiteDomain } from '../store/schema.js';
import { certificateStatuses, enqueueCertificate, type CertificateStatus } from '../certificates/issuance.js';
import { DnsLabel, errorResponses } from './schemas/common.js';
import { DomainOut, Hostname } from './schemas/domains.js';

export const domainsPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const p = app.platform;
  const tags = ['domains'];
  const out = (d: SiteDomain, certificate: CertificateStatus | undefined = undefined) => ({
    hostname: d.host, verified: d.verified_at !== null, status: d.verified_at ? 'verified' : 'pending',
    verification: d.verified_at ? null : { type: 'TXT', name: challengeName(d.host), value: d.verification_token },
    certificate: certificate ?? null,
  });

  app.get('/v1/sites/:site/domains', {
    config: { auth: { scope: 'read', site: 'read' } },
    schema: { tags, summary: "A site's custom domains", params: Type.Object({ site: DnsLabel }), response: { 200: Type.Object({ domains: Type.Array(DomainOut) }), ...errorResponses } },
  }, async (request) => {
    const rows = await listDomains(p.db, request.siteAccess.site.id);
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
    const row = await addDomain(deployRuntimeOf(p), request.siteAccess.site, request.body.hostname, { accountId: request.auth.accountId, actor: request.auth.actor });
    return reply.status(201).send(out(row));
  });

  app.post('/v1/sites/:site/domains/:hostname/verify', {
    config: { auth: { scope: 'write', site: 'configureSite' } },
    schema: {
      tags, summary: 'Check the TXT record of a pending domain now',
      params: Type.Object({ site: DnsLabel, hostname: Hostname }), response: { 200: DomainOut, ...errorResponses },
    },
  }, async (request) => {
    const before = await listDomains(p.db, request.siteAccess.site.id);
    const wasVerified = before.some((d) => d.host === request.params.hostname && d.verified_at);
    const done = await verifyDomain(deployRuntimeOf(p), request.siteAccess.site, request.params.hostname, { accountId: request.auth.accountId, actor: request.auth.actor });
    // With ACME configured, the certificate is ordered now (a job; its state shows in the list).
    if (!wasVerified) await enqueueCertificate(p, done.host).catch((err: unknown) => request.log.warn({ err, host: done.host }, 'could not queue the certificate order; the hourly sweep will'));
    return out(done);
  });

  app.delete('/v1/sites/:site/domains/:hostname', {
    config: { auth: { scope: 'write', site: 'configureSite' } },
    schema: { tags, summary: 'Remove a domain from a site', params: Type.Object({ site: DnsLabel, hostname: Hostname }), response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await removeDomain(deployRuntimeOf(p), request.siteAccess.site, request.params.hostname, { accountId: request.auth.accountId, actor: request.auth.actor });
    return reply.status(204).send(null);
  });
};
