// Sites over HTTP, for their organisations' members: create, list, get, resize, suspend, resume,
// delete. Sites of other organisations answer 404 as if they did not exist.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { plans } from '../orgs/plans.js';
import { createSite, deleteSite, resizeSite, resumeSite, suspendSite } from '../sites/sites.js';
import { DnsLabel, errorResponses } from './schemas/common.js';
import type { Config } from '../config.js';
import type { Db } from '../store/db.js';
import { loadSiteView, memberSiteViews, siteUrl, type SiteView } from '../sites/site-view.js';
import { PlanOut } from './schemas/orgs.js';
import { SiteOut, SiteSizeBody } from './schemas/sites.js';

const SiteParams = Type.Object({ site: DnsLabel });

/** One site as the API shows it, read after a change (the answer of PATCH, suspend, delete...). */
export async function loadSiteOut(db: Db, config: Pick<Config, 'siteDomain' | 'edgePort'>, siteId: string) {
  return siteOut(config, await loadSiteView(db, siteId));
}

/** One site as the API shows it. */
export function siteOut(config: Pick<Config, 'siteDomain' | 'edgePort'>, site: SiteView) {
  return {
    id: site.id, name: site.name, org: site.org_name, status: site.status, statusReason: site.status_reason,
    replicas: site.replicas, memoryMb: site.memory_mb, url: siteUrl(config, site.name),
    createdAt: site.created_at.toISOString(), updatedAt: site.updated_at.toISOString(),
    release: site.release_version ?? null,
    lastDeployAt: site.release_live_at ? new Date(site.release_live_at).toISOString() : null,
    // No live release: whatever a route row says (a torn-down site), nothing is deployed.
    runState: site.release_version === null || site.release_version === undefined ? 'none' as const : site.run_state ?? 'none',
  };
}

export const sitesPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.platform;
  const p = app.platform;
  const tags = ['sites'];

  app.post('/v1/sites', {
    config: { auth: { scope: 'write', org: 'createSite' } },
    schema: {
      tags, summary: 'Create a site (in your personal organisation unless `org` names another); its database and cache are provisioned in the background',
      body: Type.Object({
        name: DnsLabel,
        org: Type.Optional(DnsLabel),
        ...SiteSizeBody,
      }, { additionalProperties: false }),
      response: { 202: SiteOut, ...errorResponses },
    },
  }, async (request, reply) => {
    const { auth } = request;
    const { org } = request.orgAccess;
    const site = await createSite(p, auth.actor, org.id, request.body.name, { replicas: request.body.replicas, memoryMb: request.body.memoryMb });
    return reply.status(202).send(await loadSiteOut(db, config, site.id));
  });

  app.get('/v1/sites', {
    config: { auth: { scope: 'read' } },
    schema: {
      tags, summary: 'Sites of your organisations',
      querystring: Type.Object({ org: Type.Optional(DnsLabel) }, { additionalProperties: false }),
      response: { 200: Type.Object({ sites: Type.Array(SiteOut) }), ...errorResponses },
    },
  }, async (request) => {
    const rows = await memberSiteViews(db, request.auth.accountId, request.query.org);
    return { sites: rows.map((s) => siteOut(config, s)) };
  });

  app.get('/v1/sites/:site', {
    config: { auth: { scope: 'read', site: 'read' } },
    schema: { tags, summary: 'One site', params: SiteParams, response: { 200: SiteOut, ...errorResponses } },
  }, async (request) => {
    const { site } = request.siteAccess;
    return loadSiteOut(db, config, site.id);
  });

  app.patch('/v1/sites/:site', {
    config: { auth: { scope: 'write', site: 'configureSite' } },
    schema: {
      tags, summary: "Change a site's replicas or memory, within the plan's quotas", params: SiteParams,
      body: Type.Object(SiteSizeBody, { additionalProperties: false, minProperties: 1 }),
      response: { 200: SiteOut, ...errorResponses },
    },
  }, async (request) => {
    const { auth } = request;
    const { site } = request.siteAccess;
    const row = await resizeSite(p, auth.actor, site, request.body);
    return loadSiteOut(db, config, row.id);
  });

  app.post('/v1/sites/:site/suspend', {
    config: { auth: { scope: 'write', site: 'suspendSite' } },
    schema: { tags, summary: 'Suspend a site: it stops serving, its database and cache refuse logins', params: SiteParams, response: { 200: SiteOut, ...errorResponses } },
  }, async (request) => {
    const { auth } = request;
    const { site } = request.siteAccess;
    return loadSiteOut(db, config, (await suspendSite(p, auth.actor, site, 'owner')).id);
  });

  app.post('/v1/sites/:site/resume', {
    config: { auth: { scope: 'write', site: 'suspendSite' } },
    schema: { tags, summary: 'Resume a site you suspended', params: SiteParams, response: { 200: SiteOut, ...errorResponses } },
  }, async (request) => {
    const { auth } = request;
    const { site } = request.siteAccess;
    return loadSiteOut(db, config, (await resumeSite(p, auth.actor, site, 'owner')).id);
  });

  app.delete('/v1/sites/:site', {
    config: { auth: { scope: 'write', site: 'deleteSite' } },
    schema: { tags, summary: 'Delete a site: it is marked deleting at once, then everything it had is removed', params: SiteParams, response: { 202: SiteOut, ...errorResponses } },
  }, async (request, reply) => {
    const { auth } = request;
    const { site } = request.siteAccess;
    return reply.status(202).send(await loadSiteOut(db, config, (await deleteSite(p, auth.actor, site)).id));
  });

  app.get('/v1/plans', {
    config: { auth: false },
    schema: {
      tags: ['organisations'], summary: 'The plans and their quotas',
      response: { 200: Type.Object({ plans: Type.Array(PlanOut) }) },
    },
  }, async () => {
    return { plans: Object.entries(plans).map(([name, p]) => ({ name, title: p.title, quotas: { ...p.quotas } })) };
  });
};
