// Deploys and releases over HTTP: push a gzipped tarball (streamed, size-limited, checksummed),
// follow its build and release log (SSE), list releases, roll back to an earlier one. A rollback to
// the release that is live answers 200 `changed: false` and makes no release.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { errors } from '../errors.js';
import { audit } from '../audit/audit.js';
import { deployRuntimeOf } from '../releases/deploy-runtime.js';
import { createDeploy, createRerelease } from '../releases/deploys.js';
import { refuseWhileSuspended } from '../sites/sites.js';
import { deployDb, type Deploy } from '../releases/tables.js';
import { DnsLabel, errorResponses, Timestamp, Uuid } from './schemas.js';
import { siteUrl } from './site-schemas.js';
import { openSse } from './sse.js';

const SiteParams = Type.Object({ site: DnsLabel });
const DeployParams = Type.Object({ site: DnsLabel, id: Uuid });

export const DeployOut = Type.Object({
  id: Uuid,
  kind: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('building'), Type.Literal('releasing'), Type.Literal('succeeded'), Type.Literal('failed')]),
  version: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  url: Type.String(),
  sha256: Type.Union([Type.String(), Type.Null()]),
  size: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Timestamp,
  finishedAt: Type.Union([Timestamp, Type.Null()]),
});

const ReleaseOut = Type.Object({
  version: Type.Integer(),
  kind: Type.String(),
  status: Type.String(),
  description: Type.String(),
  current: Type.Boolean(),
  replicas: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  liveAt: Type.Union([Timestamp, Type.Null()]),
  envChanges: Type.Optional(Type.Object({
    added: Type.Array(Type.String()),
    removed: Type.Array(Type.String()),
    changed: Type.Array(Type.String()),
  }, { description: 'names of the env vars this release added, removed or changed against the release it replaced (the live one when it was made; never values); absent for releases made before these were recorded, or when that one predates env snapshots' })),
});

export const deploysPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const p = app.platform;
  // Looked up per request: a process may install another runtime (tests: another driver) after startup.
  const deps = () => deployRuntimeOf(p);
  const db = deployDb(p.db);
  const tags = ['deploys'];

  async function deployOut(d: Deploy, siteName: string) {
    const rel = d.release_id ? await db.selectFrom('releases').select('version').where('id', '=', d.release_id).executeTakeFirst() : undefined;
    return {
      id: d.id, kind: d.kind, status: d.status, version: rel?.version ?? null, error: d.error,
      url: siteUrl(p.config, siteName), sha256: d.artifact_sha256, size: d.artifact_size,
      createdAt: d.created_at.toISOString(), finishedAt: d.finished_at?.toISOString() ?? null,
    };
  }

  // The upload stays a stream: it goes to the artifact store as it arrives, never into memory.
  app.addContentTypeParser(['application/gzip', 'application/x-gzip', 'application/octet-stream', 'application/x-tar+gzip'],
    (_req, payload, done) => done(null, payload));

  app.post('/v1/sites/:site/deploys', {
    config: { auth: { scope: 'write', site: 'deploy' } },
    bodyLimit: deps().settings.maxUploadBytes,
    schema: {
      tags, summary: 'Deploy a site: send its directory as a gzipped tarball (Content-Type: application/gzip); answers 202 and builds in the background',
      description: 'Optional header `x-content-sha256`: the upload is refused when its sha256 differs. Follow the build with GET …/deploys/:id/events.',
      params: SiteParams,
      response: { 202: DeployOut, 413: errorResponses[400], ...errorResponses },
    },
  }, async (request, reply) => {
    const { auth } = request;
    const { site } = request.siteAccess;
    refuseWhileSuspended(site, 'deploys');
    if (site.status !== 'ready') throw errors.siteState(site.name, site.status, 'take a deploy');
    const body = request.body as Readable | undefined;
    if (!body || typeof (body as Readable).pipe !== 'function') throw errors.unsupportedMediaType(String(request.headers['content-type'] ?? 'none'));
    const declared = Number(request.headers['content-length'] ?? request.headers['x-content-length'] ?? 0);
    if (declared > deps().settings.maxUploadBytes) throw errors.tarballTooLarge(Math.round(deps().settings.maxUploadBytes / 1024 / 1024));
    const sha = request.headers['x-content-sha256'];
    const deploy = await createDeploy(deps(), site, body, { ...(typeof sha === 'string' && sha ? { sha256: sha } : {}), createdBy: auth.accountId });
    await audit(p.db, auth.actor, { action: 'deploy.push', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { deployId: deploy.id, sha256: deploy.artifact_sha256, size: deploy.artifact_size } });
    return reply.status(202).header('location', `/v1/sites/${site.name}/deploys/${deploy.id}`).send(await deployOut(deploy, site.name));
  });

  app.get('/v1/sites/:site/deploys', {
    config: { auth: { scope: 'read', site: 'read' } },
    schema: { tags, summary: "A site's deploys, newest first", params: SiteParams, response: { 200: Type.Object({ deploys: Type.Array(DeployOut) }), ...errorResponses } },
  }, async (request) => {
    const { site } = request.siteAccess;
    const rows = await db.selectFrom('deploys').selectAll().where('site_id', '=', site.id).orderBy('created_at', 'desc').limit(100).execute();
    return { deploys: await Promise.all(rows.map((d) => deployOut(d, site.name))) };
  });

  app.get('/v1/sites/:site/deploys/:id', {
    config: { auth: { scope: 'read', site: 'read' } },
    schema: { tags, summary: 'One deploy', params: DeployParams, response: { 200: DeployOut, ...errorResponses } },
  }, async (request) => {
    const { site } = request.siteAccess;
    const d = await db.selectFrom('deploys').selectAll().where('id', '=', request.params.id).where('site_id', '=', site.id).executeTakeFirst();
    if (!d) throw errors.deployNotFound(request.params.id);
    return deployOut(d, site.name);
  });

  app.get('/v1/sites/:site/deploys/:id/events', {
    config: { auth: { scope: 'read', site: 'read' } },
    schema: {
      tags, summary: "A deploy's build and release log as Server-Sent Events (`log` events, then one `result`)",
      params: DeployParams,
    },
  }, async (request, reply) => {
    const { site } = request.siteAccess;
    const d = await db.selectFrom('deploys').selectAll().where('id', '=', request.params.id).where('site_id', '=', site.id).executeTakeFirst();
    if (!d) throw errors.deployNotFound(request.params.id);
    const sse = openSse(request, reply);
    const finish = async () => {
      const now = await db.selectFrom('deploys').selectAll().where('id', '=', d.id).executeTakeFirstOrThrow();
      sse.send('result', await deployOut(now, site.name));
      sse.end();
    };
    try {
      for await (const e of deps().logs.follow(deps().logs.deployKey(d.id), { fromId: '0', signal: sse.signal, until: (e) => Boolean(e.result) })) {
        sse.send('log', { line: e.line, phase: e.source, at: e.at }, e.id);
        if (e.result) break;
      }
      if (!sse.signal.aborted) await finish();
    } catch (err) {
      request.log.warn({ err }, 'deploy event stream ended');
      sse.end();
    }
  });

  app.get('/v1/sites/:site/releases', {
    config: { auth: { scope: 'read', site: 'read' } },
    schema: { tags, summary: "A site's releases, newest first; every one is kept", params: SiteParams, response: { 200: Type.Object({ releases: Type.Array(ReleaseOut) }), ...errorResponses } },
  }, async (request) => {
    const { site } = request.siteAccess;
    // The changed names were recorded with each release: listing decrypts no snapshot.
    const rows = await db.selectFrom('releases')
      .select(['version', 'kind', 'status', 'description', 'replicas', 'error', 'created_at', 'live_at', 'env_changes'])
      .where('site_id', '=', site.id).orderBy('version', 'desc').limit(200).execute();
    return {
      releases: rows.map((r) => ({
        version: r.version, kind: r.kind, status: r.status, description: r.description, current: r.status === 'live',
        replicas: r.replicas, error: r.error, createdAt: r.created_at.toISOString(), liveAt: r.live_at?.toISOString() ?? null,
        ...(r.env_changes ? { envChanges: r.env_changes } : {}),
      })),
    };
  });

  app.post('/v1/sites/:site/rollback', {
    config: { auth: { scope: 'write', site: 'deploy' } },
    schema: {
      tags, summary: "Re-release an earlier release's code and env vars as a new release (default: the release before the current one, whatever its kind)",
      description: "The site's env vars become the target's again. A release made before releases kept their env vars re-releases its code with the current vars.",
      params: SiteParams,
      body: Type.Optional(Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false })),
      response: {
        202: Type.Intersect([DeployOut, Type.Object({ changed: Type.Literal(true) })]),
        200: Type.Object({
          changed: Type.Literal(false, { description: 'the asked release is the live one: no release was made' }),
          version: Type.Integer(),
        }, { description: 'Nothing to do: the asked release is live already' }),
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    const { auth } = request;
    const { site } = request.siteAccess;
    refuseWhileSuspended(site, 'rollbacks');
    let version = request.body?.version;
    if (version === undefined) {
      // The release before the current one, whatever its kind (deploy, env, scale, rollback), as
      // `paddock releases` lists them: rolling back an env change undoes it.
      const live = await db.selectFrom('releases').select(['version']).where('site_id', '=', site.id).where('status', '=', 'live').executeTakeFirst();
      if (!live) throw errors.noRelease(site.name);
      const before = await db.selectFrom('releases').select('version').where('site_id', '=', site.id)
        .where('status', '=', 'superseded').where('version', '<', live.version)
        .orderBy('version', 'desc').executeTakeFirst();
      if (!before) throw errors.releaseNotFound('before the current one');
      version = before.version;
    } else {
      const live = await db.selectFrom('releases').select('version').where('site_id', '=', site.id).where('status', '=', 'live').executeTakeFirst();
      if (live?.version === version) return reply.status(200).send({ changed: false as const, version });
    }
    const deploy = await createRerelease(deps(), site, 'rollback', { version, createdBy: auth.accountId });
    await audit(p.db, auth.actor, { action: 'site.rollback', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { version, deployId: deploy.id } });
    return reply.status(202).send({ ...await deployOut(deploy, site.name), changed: true as const });
  });
};
