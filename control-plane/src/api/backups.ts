// Backups and restores over HTTP: take a backup of a site's database, list the complete ones,
// download one (the plain `pg_dump -Fc` archive, streamed and audited), delete one, and restore
// the site from one.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses, DnsLabel, Timestamp, Uuid } from './schemas/common.js';
import { audit } from '../audit/audit.js';
import { deployRuntimeOf } from '../platform/deploy-runtime.js';
import { refuseWhileSuspended } from '../sites/sites.js';
import { completeBackups, deleteBackup, findBackup, openStoredBackup, orgRetention, requestBackup } from '../backups/backups.js';
import { findRestore, recoveryWindow, requestRestore } from '../backups/restores.js';
import type { SiteBackup, SiteRestore } from '../backups/tables.js';
import { errors } from '../errors.js';

const SiteParams = Type.Object({ site: DnsLabel });
const BackupParams = Type.Object({ site: DnsLabel, backup: Uuid });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const BackupOut = Type.Object({
  id: Uuid,
  status: Type.Union([Type.Literal('running'), Type.Literal('complete'), Type.Literal('failed')]),
  trigger: Type.Union([Type.Literal('manual'), Type.Literal('scheduled')]),
  startedAt: Timestamp,
  completedAt: Nullable(Timestamp),
  expiresAt: Nullable(Timestamp),
  size: Nullable(Type.Integer({ description: 'bytes stored (compressed and encrypted)' })),
  sha256: Nullable(Type.String({ description: 'of the stored (encrypted) file' })),
  tables: Nullable(Type.Array(Type.String(), { description: 'schema.table of every table whose rows the backup holds' })),
  error: Nullable(Type.String()),
});

const RestoreOut = Type.Object({
  id: Uuid,
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('releasing'), Type.Literal('succeeded'), Type.Literal('failed')]),
  backup: Nullable(Uuid),
  time: Nullable(Timestamp),
  deployId: Nullable(Uuid),
  error: Nullable(Type.String()),
  createdAt: Timestamp,
  finishedAt: Nullable(Timestamp),
  previousKeptUntil: Nullable(Timestamp),
});

function restoreOut(r: SiteRestore) {
  return {
    id: r.id, status: r.status, backup: r.backup_id, time: r.target_time?.toISOString() ?? null, deployId: r.deploy_id, error: r.error,
    createdAt: r.created_at.toISOString(), finishedAt: r.finished_at?.toISOString() ?? null, previousKeptUntil: r.keep_until?.toISOString() ?? null,
  };
}

export const backupsPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const p = app.platform;
  const artifacts = () => deployRuntimeOf(p).artifacts;
  const tags = ['backups'];

  const retention = (orgId: string) => orgRetention(p, orgId);

  function backupOut(b: SiteBackup, days: number) {
    return {
      id: b.id, status: b.status, trigger: b.trigger, startedAt: b.started_at.toISOString(), completedAt: b.completed_at?.toISOString() ?? null,
      expiresAt: b.completed_at && b.status === 'complete' ? new Date(b.completed_at.getTime() + days * 86_400_000).toISOString() : null,
      size: b.size === null ? null : Number(b.size), sha256: b.sha256, tables: b.manifest?.tables ?? null, error: b.error,
    };
  }

  app.get('/v1/sites/:site/backups', {
    config: { auth: { scope: 'read', site: 'read' } },
    schema: {
      tags, summary: "The site's complete, verified backups, newest first",
      description: 'A backup is listed once its dump is stored and read back (`pg_restore --list`); one still running or failed is not (GET …/backups/:backup shows it). The newest one is kept past the retention window.',
      params: SiteParams,
      response: { 200: Type.Object({ retentionDays: Type.Integer(), backups: Type.Array(BackupOut) }), ...errorResponses },
    },
  }, async (request) => {
    const { site } = request.siteAccess;
    const days = await retention(site.org_id);
    return { retentionDays: days, backups: (await completeBackups(p, site.id)).map((b) => backupOut(b, days)) };
  });

  app.post('/v1/sites/:site/backups', {
    config: { auth: { scope: 'write', site: 'configureSite' } },
    schema: {
      tags, summary: "Back up the site's database now (answers 202; a backup already running is answered instead)",
      params: SiteParams,
      response: { 202: BackupOut, ...errorResponses },
    },
  }, async (request, reply) => {
    const { auth } = request;
    const { site } = request.siteAccess;
    const b = await requestBackup(p, site, 'manual', auth.accountId);
    await audit(p.db, auth.actor, { action: 'site.backup.requested', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { backup: b.id } });
    return reply.status(202).send(backupOut(b, await retention(site.org_id)));
  });

  app.get('/v1/sites/:site/backups/:backup', {
    config: { auth: { scope: 'read', site: 'read' } },
    schema: { tags, summary: 'One backup, whatever its status (running, complete or failed, with its error)', params: BackupParams, response: { 200: BackupOut, ...errorResponses } },
  }, async (request) => {
    const { site } = request.siteAccess;
    return backupOut(await findBackup(p, site, request.params.backup), await retention(site.org_id));
  });

  app.get('/v1/sites/:site/backups/:backup/download', {
    config: { auth: { scope: 'secrets', site: 'readSecrets' } },
    schema: {
      tags, summary: 'Download a backup: the `pg_dump -Fc` archive (decrypted as it streams; load it with pg_restore). Audited.',
      description: 'Holds every row of the site\'s database, so it needs what revealing the database password needs: the `secrets` scope and the developer role.',
      params: BackupParams,
      response: { 200: Type.Unsafe<unknown>({ type: 'string', format: 'binary', description: 'the pg_dump custom-format archive' }), ...errorResponses },
    },
  }, async (request, reply) => {
    const { auth } = request;
    const { site } = request.siteAccess;
    const b = await findBackup(p, site, request.params.backup);
    if (b.status !== 'complete') throw errors.backupNotReady(b.id, b.status);
    await audit(p.db, auth.actor, { action: 'site.backup.downloaded', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { backup: b.id } });
    const stamp = (b.completed_at ?? b.started_at).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    return reply.header('content-type', 'application/octet-stream')
      .header('content-disposition', `attachment; filename="${site.name}-${stamp}.dump"`)
      .send(openStoredBackup(p, artifacts(), b));
  });

  app.delete('/v1/sites/:site/backups/:backup', {
    config: { auth: { scope: 'write', site: 'deleteSite' } },
    schema: { tags, summary: 'Delete a backup (its file goes at once)', params: BackupParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    const { auth } = request;
    const { site } = request.siteAccess;
    const b = await findBackup(p, site, request.params.backup);
    if (b.status === 'running') throw errors.backupNotReady(b.id, b.status);
    await deleteBackup(p, artifacts(), b);
    await audit(p.db, auth.actor, { action: 'site.backup.deleted', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { backup: b.id } });
    return reply.status(204).send(null);
  });

  app.post('/v1/sites/:site/restore', {
    config: { auth: { scope: 'write', site: 'deploy' } },
    schema: {
      tags, summary: "Restore the site's database from one of its backups (answers 202)",
      description: 'With `time`, the database is recovered from the archived WAL as of that moment (GET …/recovery-window says which moments can be). The backup or the recovered copy goes into a fresh database, the site is re-released against it (a `restore` release: follow it like a deploy), and the site switches to it only when that release is live; until then, and if anything fails, the site keeps its current database. The replaced database is kept for 24 hours.',
      params: SiteParams,
      body: Type.Object({
        backup: Type.Optional(Uuid),
        time: Type.Optional(Type.String({ format: 'date-time', description: 'a moment inside the recovery window (point-in-time restore; where the platform archives its database servers)' })),
      }, { additionalProperties: false, description: 'exactly one of `backup` and `time`' }),
      response: { 202: RestoreOut, ...errorResponses },
    },
  }, async (request, reply) => {
    const { auth } = request;
    const { site } = request.siteAccess;
    refuseWhileSuspended(site, 'restore');
    const { backup, time } = request.body;
    if ((backup === undefined) === (time === undefined)) throw errors.validation('give exactly one of "backup" (a backup id) and "time" (a moment to go back to)');
    const source = backup !== undefined ? { backup } : { time: new Date(time!) };
    return reply.status(202).send(restoreOut(await requestRestore(p, auth.actor, site, source)));
  });

  app.get('/v1/sites/:site/recovery-window', {
    config: { auth: { scope: 'read', site: 'read' } },
    schema: {
      tags, summary: 'The moments the site\'s database can be restored to (point-in-time restore)',
      params: SiteParams,
      response: { 200: Type.Object({ available: Type.Boolean(), from: Nullable(Timestamp), to: Nullable(Timestamp) }), ...errorResponses },
    },
  }, async (request) => {
    const w = await recoveryWindow(p, request.siteAccess.site);
    return { available: Boolean(w), from: w?.from.toISOString() ?? null, to: w?.to.toISOString() ?? null };
  });

  app.get('/v1/sites/:site/restores/:restore', {
    config: { auth: { scope: 'read', site: 'read' } },
    schema: { tags, summary: 'One restore and where it is', params: Type.Object({ site: DnsLabel, restore: Uuid }), response: { 200: RestoreOut, ...errorResponses } },
  }, async (request) => {
    const r = await findRestore(p, request.siteAccess.site, request.params.restore);
    if (!r) throw errors.restoreNotFound(request.params.restore);
    return restoreOut(r);
  });
};
