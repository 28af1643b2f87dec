// Sites over HTTP, for their organisations' members: create, list, get, resize, suspend, resume,
// delete. Sites of other organisations answer 404 as if they did not exist.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errors } from '../errors.js';
import { orgAccess, siteAccess } from '../orgs/access.js';
import { needs } from '../orgs/roles.js';
import { plans } from '../orgs/plans.js';
import { createSite, deleteSite, resizeSite, resumeSite, suspendSite } from '../sites/sites.js';
import { authenticate, bearerSecurity } from './authenticate.js';
import { DnsLabel, errorResponses } from './schemas.js';
import { loadSiteOut, SiteOut, siteOut, siteOutQuery, SiteSizeBody } from './site-schemas.js';

const SiteParams = Type.Object({ site: DnsLabel });

export const sitesPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.platform;
  const p = app.platform;
  const tags = ['sites'];

  app.post('/v1/sites', {
    schema: {
      tags, summary: 'Create a site (in your personal organisation unless `org` names another); its database and cache are provisioned in the background', security: bearerSecurity,
      body: Type.Object({
        name: DnsLabel,
        org: Type.Optional(DnsLabel),
        ...SiteSizeBody,
      }, { additionalProperties: false }),
      response: { 202: SiteOut, ...errorResponses },
    },
  }, async (request, reply) => {
    const auth = await authenticate(request);
    let orgName = request.body.org;
    if (!orgName) {
      const personal = await db.selectFrom('organisations').innerJoin('memberships', 'memberships.org_id', 'organisations.id')
        .select('organisations.name').where('memberships.account_id', '=', auth.accountId).where('organisations.personal', '=', true)
        .orderBy('organisations.created_at').executeTakeFirst();
      if (!personal) throw errors.validation('body/org is required: you have no personal organisation');
      orgName = personal.name;
    }
    const { org } = await orgAccess(db, auth.accountId, orgName, needs.createSite);
    const site = await createSite(p, auth.actor, org.id, request.body.name, { replicas: request.body.replicas, memoryMb: request.body.memoryMb });
    return reply.status(202).send(await loadSiteOut(db, config, site.id));
  });

  app.get('/v1/sites', {
    schema: {
      tags, summary: 'Sites of your organisations', security: bearerSecurity,
      querystring: Type.Object({ org: Type.Optional(DnsLabel) }, { additionalProperties: false }),
      response: { 200: Type.Object({ sites: Type.Array(SiteOut) }), ...errorResponses },
    },
  }, async (request) => {
    const auth = await authenticate(request);
    let q = siteOutQuery(db).innerJoin('memberships', 'memberships.org_id', 'sites.org_id')
      .where('memberships.account_id', '=', auth.accountId).where('sites.status', '<>', 'deleted');
    if (request.query.org) q = q.where('organisations.name', '=', request.query.org);
    const rows = await q.orderBy('sites.name').limit(1000).execute();
    return { sites: rows.map((s) => siteOut(config, s)) };
  });

  app.get('/v1/sites/:site', {
    schema: { tags, summary: 'One site', security: bearerSecurity, params: SiteParams, response: { 200: SiteOut, ...errorResponses } },
  }, async (request) => {
    const auth = await authenticate(request);
    const { site } = await siteAccess(db, auth.accountId, request.params.site, needs.read);
    return loadSiteOut(db, config, site.id);
  });

  app.patch('/v1/sites/:site', {
    schema: {
      tags, summary: "Change a site's replicas or memory, within the plan's quotas", security: bearerSecurity, params: SiteParams,
      body: Type.Object(SiteSizeBody, { additionalProperties: false, minProperties: 1 }),
      response: { 200: SiteOut, ...errorResponses },
    },
  }, async (request) => {
    const auth = await authenticate(request);
    const { site } = await siteAccess(db, auth.accountId, request.params.site, needs.configureSite);
    const row = await resizeSite(p, auth.actor, site, request.body);
    return loadSiteOut(db, config, row.id);
  });

  app.post('/v1/sites/:site/suspend', {
    schema: { tags, summary: 'Suspend a site: it stops serving, its database and cache refuse logins', security: bearerSecurity, params: SiteParams, response: { 200: SiteOut, ...errorResponses } },
  }, async (request) => {
    const auth = await authenticate(request);
    const { site } = await siteAccess(db, auth.accountId, request.params.site, needs.suspendSite);
    return loadSiteOut(db, config, (await suspendSite(p, auth.actor, site, 'owner')).id);
  });

  app.post('/v1/sites/:site/resume', {
    schema: { tags, summary: 'Resume a site you suspended', security: bearerSecurity, params: SiteParams, response: { 200: SiteOut, ...errorResponses } },
  }, async (request) => {
    const auth = await authenticate(request);
    const { site } = await siteAccess(db, auth.accountId, request.params.site, needs.suspendSite);
    return loadSiteOut(db, config, (await resumeSite(p, auth.actor, site, 'owner')).id);
  });

  app.delete('/v1/sites/:site', {
    schema: { tags, summary: 'Delete a site: it is marked deleting at once, then everything it had is removed', security: bearerSecurity, params: SiteParams, response: { 202: SiteOut, ...errorResponses } },
  }, async (request, reply) => {
    const auth = await authenticate(request);
    const { site } = await siteAccess(db, auth.accountId, request.params.site, needs.deleteSite);
    return reply.status(202).send(await loadSiteOut(db, config, (await deleteSite(p, auth.actor, site)).id));
  });

  app.get('/v1/plans', {
    schema: {
      tags: ['organisations'], summary: 'The plans and their quotas',
      response: { 200: Type.Object({ plans: Type.Array(Type.Object({ name: Type.String(), title: Type.String(), quotas: Type.Record(Type.String(), Type.Integer()) })) }) },
    },
  }, async () => {
    return { plans: Object.entries(plans).map(([name, p]) => ({ name, title: p.title, quotas: { ...p.quotas } })) };
  });
};
