// Deploys and releases over HTTP: push a gzipped tarball (streamed, size-limited, checksummed),
// follow its build and release log (SSE), list releases, roll back to an earlier one. A rollback to
// the release that is live answers 200 `changed: false` and makes no release.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { errors } from '../errors.js';
import { audit } from '../audit/audit.js';
import { deployRuntimeOf } from '../platform/deploy-runtime.js';
import { createDeploy, createRerelease } from '../releases/deploys.js';
import { refuseWhileSuspended } from '../sites/sites.js';
import { findDeploy, listDeploys, listReleases, liveReleaseVersion, releaseBeforeLive, releaseVersionOf, reloadDeploy } from '../deploys/history.js';
import { siteUrl } from '../sites/site-view.js';
import type { Deploy } from '../store/schema.js';
import { DnsLabel, errorResponses, Uuid } from './schemas/common.js';
import { DeployOut, ReleaseOut } from './schemas/deploys.js';
import { openSse } from './sse.js';

const SiteParams = Type.Object({ site: DnsLabel });
const DeployParams = Type.Object({ site: DnsLabel, id: Uuid });

export const deploysPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const p = app.platform;
  // Looked up per request: a process may install another runtime (tests: another driver) after startup.
  const deps = () => deployRuntimeOf(p);
  const { db } = p;
  const tags = ['deploys'];

  async function deployOut(d: Deploy, siteName: string) {
    return {
      id: d.id, kind: d.kind, status: d.status, version: await releaseVersionOf(db, d), error: d.error,
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
    const rows = await listDeploys(db, site.id);
    return { deploys: await Promise.all(rows.map((d) => deployOut(d, site.name))) };
  });

  app.get('/v1/sites/:site/deploys/:id', {
    config: { auth: { scope: 'read', site: 'read' } },
    schema: { tags, summary: 'One deploy', params: DeployParams, response: { 200: DeployOut, ...errorResponses } },
  }, async (request) => {
    const { site } = request.siteAccess;
    return deployOut(await findDeploy(db, site.id, request.params.id), site.name);
  });

  app.get('/v1/sites/:site/deploys/:id/events', {
    config: { auth: { scope: 'read', site: 'read' } },
    schema: {
      tags, summary: "A deploy's build and release log as Server-Sent Events (`log` events, then one `result`)",
      params: DeployParams,
    },
  }, async (request, reply) => {
    const { site } = request.siteAccess;
    const d = await findDeploy(db, site.id, request.params.id);
    const sse = openSse(request, reply);
    const finish = async () => {
      sse.send('result', await deployOut(await reloadDeploy(db, d.id), site.name));
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
    const rows = await listReleases(db, site.id);
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
    if (version === undefined) version = await releaseBeforeLive(db, site);
    else if (await liveReleaseVersion(db, site.id) === version) return reply.status(200).send({ changed: false as const, version });
    const deploy = await createRerelease(deps(), site, 'rollback', { version, createdBy: auth.accountId });
    await audit(p.db, auth.actor, { action: 'site.rollback', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { version, deployId: deploy.id } });
    return reply.status(202).send({ ...await deployOut(deploy, site.name), changed: true as const });
  });
};
