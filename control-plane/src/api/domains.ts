// Custom domains of a site over HTTP (domains/domains.ts holds the rules): list, add, verify by
// DNS TXT record, remove (each audited). TLS is a later issue.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { addDomain, challengeName, listDomains, removeDomain, verifyDomain } from '../domains/domains.js';
import { deployRuntimeOf } from '../platform/deploy-runtime.js';
import type { SiteDomain } from '../store/schema.js';
import { DnsLabel, errorResponses } from './schemas/common.js';
import { DomainOut, Hostname } from './schemas/domains.js';

export const domainsPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const p = app.platform;
  const tags = ['domains'];
  const out = (d: SiteDomain) => ({
    hostname: d.host, verified: d.verified_at !== null, status: d.verified_at ? 'verified' : 'pending',
    verification: d.verified_at ? null : { type: 'TXT', name: challengeName(d.host), value: d.verification_token },
  });

  app.get('/v1/sites/:site/domains', {
    config: { auth: { scope: 'read', site: 'read' } },
    schema: { tags, summary: "A site's custom domains", params: Type.Object({ site: DnsLabel }), response: { 200: Type.Object({ domains: Type.Array(DomainOut) }), ...errorResponses } },
  }, async (request) => {
    return { domains: (await listDomains(p.db, request.siteAccess.site.id)).map(out) };
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
    return out(await verifyDomain(deployRuntimeOf(p), request.siteAccess.site, request.params.hostname, { accountId: request.auth.accountId, actor: request.auth.actor }));
  });

  app.delete('/v1/sites/:site/domains/:hostname', {
    config: { auth: { scope: 'write', site: 'configureSite' } },
    schema: { tags, summary: 'Remove a domain from a site', params: Type.Object({ site: DnsLabel, hostname: Hostname }), response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await removeDomain(deployRuntimeOf(p), request.siteAccess.site, request.params.hostname, { accountId: request.auth.accountId, actor: request.auth.actor });
    return reply.status(204).send(null);
  });
};
