// The operators' API under /v1/admin: every organisation and site on the platform, searchable and
// paginated; usage per site; suspend, resume, delete; plans and quota overrides; the audit log.
// Only operator accounts, through a session or a token with the `admin` scope. A site or organisation
// is named in a route by its id or by its name.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { changeOrgPlan, findSiteById, searchOrgs, searchSites, siteUsage } from '../admin/admin.js';
import { auditEvents } from '../audit/audit-log.js';
import { quotasOf } from '../orgs/plans.js';
import { createProvisioners, type Provisioners } from '../provisioners/index.js';
import { deleteSite, resumeSite, suspendSite } from '../sites/sites.js';
import { errorResponses, PageInfo, Pagination, Uuid } from './schemas/common.js';
import { QuotaOverrides } from './schemas/orgs.js';
import { AdminOrg, AuditEvent, OrgPlanOut, SiteRef, SiteUsageOut } from './schemas/admin.js';
import { SiteOut, SiteStatus } from './schemas/sites.js';
import { loadSiteOut, siteOut } from './sites.js';

export const adminPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.platform;
  const p = app.platform;
  const tags = ['admin'];
  // Only operator accounts, through a session or a token with the admin scope.
  const operator = { scope: 'admin', operator: true } as const;
  let provisioners: Provisioners | undefined;
  app.addHook('onClose', async () => { await provisioners?.close(); });
  const siteById = (id: string) => findSiteById(db, id);

  app.get('/v1/admin/orgs', {
    config: { auth: operator },
    schema: {
      tags, summary: 'Organisations, searched by name, newest first',
      querystring: Type.Intersect([Pagination, Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })), plan: Type.Optional(Type.String({ maxLength: 50 })) })]),
      response: { 200: Type.Object({ organisations: Type.Array(AdminOrg), page: PageInfo }), ...errorResponses },
    },
  }, async (request) => {
    const { page, limit } = request.query;
    const { rows, total } = await searchOrgs(db, request.query);
    return {
      organisations: rows.map((o) => ({ id: o.id, name: o.name, plan: o.plan, personal: o.personal, quotas: quotasOf(o.plan, o.quota_overrides), createdAt: o.created_at.toISOString(), members: o.members ?? 0, sites: o.sites ?? 0 })),
      page: { page, limit, total },
    };
  });

  app.patch('/v1/admin/orgs/:id', {
    config: { auth: operator },
    schema: {
      tags, summary: "Change an organisation's plan or override single quotas (null clears an override)",
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100, description: "The organisation's id (UUID) or its name" }) }),
      body: Type.Object({ plan: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })), quotas: Type.Optional(QuotaOverrides) }, { additionalProperties: false, minProperties: 1 }),
      response: { 200: OrgPlanOut, ...errorResponses },
    },
  }, async (request) => {
    const org = await changeOrgPlan(db, request.auth.actor, request.params.id, request.body);
    return { id: org.id, name: org.name, plan: org.plan, quotas: quotasOf(org.plan, org.quota_overrides), overrides: org.quota_overrides };
  });

  app.get('/v1/admin/sites', {
    config: { auth: operator },
    schema: {
      tags, summary: 'Sites, searched by name, filtered by status or organisation, newest first',
      querystring: Type.Intersect([Pagination, Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })), status: Type.Optional(SiteStatus), org: Type.Optional(Uuid) })]),
      response: { 200: Type.Object({ sites: Type.Array(SiteOut), page: PageInfo }), ...errorResponses },
    },
  }, async (request) => {
    const { page, limit } = request.query;
    const { rows, total } = await searchSites(db, request.query);
    return { sites: rows.map((s) => siteOut(config, s)), page: { page, limit, total } };
  });

  app.get('/v1/admin/sites/:id', {
    config: { auth: operator },
    schema: { tags, summary: 'One site', params: SiteRef, response: { 200: SiteOut, ...errorResponses } },
  }, async (request) => {
    const { site } = await siteById(request.params.id);
    return loadSiteOut(db, config, site.id);
  });

  app.get('/v1/admin/sites/:id/usage', {
    config: { auth: operator },
    schema: {
      tags, summary: "A site's resource usage against its plan's quotas", params: SiteRef,
      response: {
        200: SiteUsageOut,
        ...errorResponses,
      },
    },
  }, async (request) => {
    const { site } = await siteById(request.params.id);
    provisioners ??= createProvisioners(config);
    const usage = await siteUsage({ db, secrets: p.secrets, provisioners }, site);
    return { siteId: site.id, replicas: site.replicas, memoryMb: site.memory_mb, ...usage };
  });

  app.post('/v1/admin/sites/:id/suspend', {
    config: { auth: operator },
    schema: { tags, summary: 'Suspend a site; only an operator can resume it', params: SiteRef, response: { 200: SiteOut, ...errorResponses } },
  }, async (request) => {
    const { auth } = request;
    const { site } = await siteById(request.params.id);
    return loadSiteOut(db, config, (await suspendSite(p, auth.actor, site, 'operator')).id);
  });

  app.post('/v1/admin/sites/:id/resume', {
    config: { auth: operator },
    schema: { tags, summary: 'Resume a suspended site', params: SiteRef, response: { 200: SiteOut, ...errorResponses } },
  }, async (request) => {
    const { auth } = request;
    const { site } = await siteById(request.params.id);
    return loadSiteOut(db, config, (await resumeSite(p, auth.actor, site, 'operator')).id);
  });

  app.delete('/v1/admin/sites/:id', {
    config: { auth: operator },
    schema: { tags, summary: 'Delete a site and everything it has', params: SiteRef, response: { 202: SiteOut, ...errorResponses } },
  }, async (request, reply) => {
    const { auth } = request;
    const { site } = await siteById(request.params.id);
    return reply.status(202).send(await loadSiteOut(db, config, (await deleteSite(p, auth.actor, site)).id));
  });

  app.get('/v1/admin/audit', {
    config: { auth: operator },
    schema: {
      tags, summary: 'The audit log, newest first',
      querystring: Type.Intersect([Pagination, Type.Object({
        org: Type.Optional(Uuid),
        actor: Type.Optional(Type.String({ maxLength: 254, description: "The account's id or email" })),
        action: Type.Optional(Type.String({ maxLength: 100 })),
        target: Type.Optional(Type.String({ maxLength: 254, description: "The target's id, or a site's or organisation's name, or an account's email" })),
      })]),
      response: { 200: Type.Object({ events: Type.Array(AuditEvent), page: PageInfo }), ...errorResponses },
    },
  }, async (request) => {
    const { page, limit } = request.query;
    const { rows, total } = await auditEvents(db, request.query);
    return {
      events: rows.map((e) => ({
        id: Number(e.id), at: e.at.toISOString(), actorId: e.actor_id, actor: e.actor_label, tokenId: e.token_id, action: e.action,
        targetType: e.target_type, targetId: e.target_id, orgId: e.org_id, ip: e.ip, details: e.details, org: e.org_name, targetName: e.target_name,
      })),
      page: { page, limit, total },
    };
  });
};
