// The operators' API under /v1/admin: every organisation and site on the platform, searchable and
// paginated; usage per site; suspend, resume, delete; plans and quota overrides; the audit log.
// Only operator accounts, through a session or a token with the `admin` scope. A site or organisation
// is named in a route by its id or by its name.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { errors } from '../errors.js';
import { audit } from '../audit/audit.js';
import { plans, quotasOf } from '../orgs/plans.js';
import { createProvisioners, openResource } from '../provisioners/index.js';
import { deleteSite, resumeSite, suspendSite } from '../sites/sites.js';
import { errorResponses, PageInfo, Pagination, Timestamp, Uuid } from './schemas.js';
import { OrgOut, QuotaOverrides, Quotas } from './org-schemas.js';
import { loadSiteOut, SiteOut, siteOut, siteOutQuery, SiteStatus } from './site-schemas.js';

const AdminOrg = Type.Intersect([OrgOut, Type.Object({ members: Type.Integer(), sites: Type.Integer() })]);
const AuditEvent = Type.Object({
  id: Type.Integer(), at: Timestamp, actorId: Type.Union([Uuid, Type.Null()]), actor: Type.String(), tokenId: Type.Union([Uuid, Type.Null()]),
  action: Type.String(), targetType: Type.String(), targetId: Type.Union([Type.String(), Type.Null()]), orgId: Type.Union([Uuid, Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]), details: Type.Record(Type.String(), Type.Unknown()),
  org: Type.Union([Type.String(), Type.Null()], { description: "The organisation's name" }),
  targetName: Type.Union([Type.String(), Type.Null()], { description: "The target's name: a site's or organisation's name, an account's or invitation's email, a token's name" }),
});

/** An admin route's site: its id or its name. */
const SiteRef = Type.Object({ id: Type.String({ minLength: 1, maxLength: 63, description: "The site's id (UUID) or its name" }) });

const isUuid = (v: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

/** An audit target's name, by its type (ids are UUIDs; anything else has no name). */
const targetName = sql<string | null>`case when audit_events.target_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then case audit_events.target_type
  when 'site' then (select name from sites where id = audit_events.target_id::uuid)
  when 'organisation' then (select name from organisations where id = audit_events.target_id::uuid)
  when 'account' then (select email from accounts where id = audit_events.target_id::uuid)
  when 'membership' then (select email from accounts where id = audit_events.target_id::uuid)
  when 'invitation' then (select email from invitations where id = audit_events.target_id::uuid)
  when 'token' then (select name from api_tokens where id = audit_events.target_id::uuid)
end end`;

/** A search text as a LIKE pattern matching it anywhere, wildcards in it taken literally. */
function contains(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export const adminPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.platform;
  const p = app.platform;
  const tags = ['admin'];
  // Only operator accounts, through a session or a token with the admin scope.
  const operator = { scope: 'admin', operator: true } as const;
  let provisioners: ReturnType<typeof createProvisioners> | undefined;
  app.addHook('onClose', async () => { await provisioners?.close(); });

  /** A site by its id, or by its name (the live site of that name: a deleted one's name may be taken again). */
  async function siteById(ref: string) {
    const q = db.selectFrom('sites').innerJoin('organisations', 'organisations.id', 'sites.org_id')
      .selectAll('sites').select('organisations.name as org_name');
    const row = await (isUuid(ref) ? q.where('sites.id', '=', ref.toLowerCase()) : q.where('sites.name', '=', ref).where('sites.status', '<>', 'deleted')).executeTakeFirst();
    if (!row) throw errors.siteNotFound(ref);
    const { org_name, ...site } = row;
    return { site, orgName: org_name };
  }

  app.get('/v1/admin/orgs', {
    config: { auth: operator },
    schema: {
      tags, summary: 'Organisations, searched by name, newest first',
      querystring: Type.Intersect([Pagination, Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })), plan: Type.Optional(Type.String({ maxLength: 50 })) })]),
      response: { 200: Type.Object({ organisations: Type.Array(AdminOrg), page: PageInfo }), ...errorResponses },
    },
  }, async (request) => {
    const { page, limit, q, plan } = request.query;
    let base = db.selectFrom('organisations');
    if (q) base = base.where('organisations.name', 'like', contains(q));
    if (plan) base = base.where('organisations.plan', '=', plan);
    const [{ total }, rows] = await Promise.all([
      base.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow(),
      base.selectAll('organisations')
        .select((eb) => [
          eb.selectFrom('memberships').select(sql<number>`count(*)::int`.as('n')).whereRef('memberships.org_id', '=', 'organisations.id').as('members'),
          eb.selectFrom('sites').select(sql<number>`count(*)::int`.as('n')).whereRef('sites.org_id', '=', 'organisations.id').where('sites.status', '<>', 'deleted').as('sites'),
        ])
        .orderBy('organisations.created_at', 'desc').orderBy('organisations.id').limit(limit).offset((page - 1) * limit).execute(),
    ]);
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
      response: { 200: Type.Object({ id: Uuid, name: Type.String(), plan: Type.String(), quotas: Quotas, overrides: Type.Record(Type.String(), Type.Integer()) }), ...errorResponses },
    },
  }, async (request) => {
    const { auth } = request;
    const { plan, quotas } = request.body;
    if (plan !== undefined && !plans[plan]) throw errors.planNotFound(plan);
    const org = await db.transaction().execute(async (trx) => {
      const { id } = request.params;
      const before = await trx.selectFrom('organisations').selectAll().where(isUuid(id) ? 'id' : 'name', '=', isUuid(id) ? id.toLowerCase() : id).forUpdate().executeTakeFirst();
      if (!before) throw errors.orgNotFound(request.params.id);
      const overrides = { ...before.quota_overrides, ...(quotas ?? {}) };
      const after = await trx.updateTable('organisations')
        .set({ plan: plan ?? before.plan, quota_overrides: JSON.stringify(overrides), updated_at: new Date() })
        .where('id', '=', before.id).returningAll().executeTakeFirstOrThrow();
      await audit(trx, auth.actor, { action: 'organisation.plan', targetType: 'organisation', targetId: before.id, orgId: before.id, details: { from: { plan: before.plan, overrides: before.quota_overrides }, to: { plan: after.plan, overrides } } });
      return after;
    });
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
    const { page, limit, q, status, org } = request.query;
    let base = db.selectFrom('sites').innerJoin('organisations', 'organisations.id', 'sites.org_id');
    let rowsQuery = siteOutQuery(db);
    if (q) { base = base.where('sites.name', 'like', contains(q)); rowsQuery = rowsQuery.where('sites.name', 'like', contains(q)); }
    if (status) { base = base.where('sites.status', '=', status); rowsQuery = rowsQuery.where('sites.status', '=', status); }
    if (org) { base = base.where('sites.org_id', '=', org); rowsQuery = rowsQuery.where('sites.org_id', '=', org); }
    const [{ total }, rows] = await Promise.all([
      base.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow(),
      rowsQuery.orderBy('sites.created_at', 'desc').orderBy('sites.id').limit(limit).offset((page - 1) * limit).execute(),
    ]);
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
        200: Type.Object({
          siteId: Uuid, replicas: Type.Integer(), memoryMb: Type.Integer(), databaseBytes: Type.Integer(), databaseConnections: Type.Integer(), cacheKeys: Type.Integer(),
          quotas: Quotas, overQuota: Type.Array(Type.String()),
          placement: Type.Record(Type.String(), Type.String()),
        }),
        ...errorResponses,
      },
    },
  }, async (request) => {
    const { site } = await siteById(request.params.id);
    const org = await db.selectFrom('organisations').select(['plan', 'quota_overrides']).where('id', '=', site.org_id).executeTakeFirstOrThrow();
    const quotas = quotasOf(org.plan, org.quota_overrides);
    provisioners ??= createProvisioners(config);
    const rows = await db.selectFrom('site_resources').selectAll().where('site_id', '=', site.id).execute();
    const usage: Record<string, number> = {};
    for (const row of rows) Object.assign(usage, await provisioners.byKind(row.kind).usage(openResource(p.secrets, row)));
    const databaseBytes = usage.databaseBytes ?? 0;
    const overQuota: string[] = [];
    if (databaseBytes > quotas.databaseMb * 1024 * 1024) overQuota.push('databaseMb');
    if (site.replicas > quotas.replicas) overQuota.push('replicas');
    if (site.memory_mb > quotas.memoryMb) overQuota.push('memoryMb');
    return {
      siteId: site.id, replicas: site.replicas, memoryMb: site.memory_mb, databaseBytes, databaseConnections: usage.connections ?? 0, cacheKeys: usage.cacheKeys ?? 0,
      quotas, overQuota, placement: Object.fromEntries(rows.map((r) => [r.kind, r.server])),
    };
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
    const { page, limit, org, actor, action, target } = request.query;
    let base = db.selectFrom('audit_events');
    if (org) base = base.where('org_id', '=', org);
    if (actor) {
      base = isUuid(actor) ? base.where('actor_id', '=', actor)
        : base.where('actor_id', 'in', db.selectFrom('accounts').select('id').where('email', '=', actor.toLowerCase()));
    }
    if (action) base = base.where('action', '=', action);
    if (target) {
      // A name stands for every id it names: a site's (deleted ones with the same name included),
      // an organisation's, an account's.
      const named = db.selectFrom('sites').select(sql<string>`id::text`.as('id')).where('name', '=', target)
        .union(db.selectFrom('organisations').select(sql<string>`id::text`.as('id')).where('name', '=', target))
        .union(db.selectFrom('accounts').select(sql<string>`id::text`.as('id')).where('email', '=', target.toLowerCase()));
      base = isUuid(target) ? base.where('target_id', '=', target.toLowerCase()) : base.where('target_id', 'in', named);
    }
    const [{ total }, rows] = await Promise.all([
      base.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow(),
      base.selectAll('audit_events').leftJoin('organisations', 'organisations.id', 'audit_events.org_id')
        .select(['organisations.name as org_name', targetName.as('target_name')])
        .orderBy('audit_events.id', 'desc').limit(limit).offset((page - 1) * limit).execute(),
    ]);
    return {
      events: rows.map((e) => ({
        id: Number(e.id), at: e.at.toISOString(), actorId: e.actor_id, actor: e.actor_label, tokenId: e.token_id, action: e.action,
        targetType: e.target_type, targetId: e.target_id, orgId: e.org_id, ip: e.ip, details: e.details, org: e.org_name, targetName: e.target_name,
      })),
      page: { page, limit, total },
    };
  });
};
