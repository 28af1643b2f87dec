// The provision queue's job: bring a site's tenant resources to what its status asks for. A new
// site (provisioning) gets a Postgres database + role and a Redis ACL user, placed on the
// least-loaded server of each pool, then becomes ready; a suspended site's logins are disabled;
// a ready one's enabled. Each step is idempotent and its outcome recorded before the next, so a
// worker killed anywhere and restarted converges to the same end state, never a duplicate.
import { Worker, type Job } from 'bullmq';
import type { Platform } from '../platform/platform.js';
import type { ResourceKind, SiteStatus } from '../store/schema.js';
import { audit, systemActor } from '../audit/audit.js';
import { randomSecret } from '../secrets/box.js';
import { createProvisioners, credentialContext, leastLoaded, openResource, type Provisioners, type TenantResource } from '../provisioners/index.js';
import { createSiteLocks, type SiteLocks } from './site-lock.js';
import { queueNames, type ProvisionJob } from '../platform/queues.js';
import { checkMediaQuotas, enforceDatabaseQuotas } from './database-quota.js';
import { deploySettings } from '../config.js';
import { DockerDriver } from '../drivers/docker.js';
import { enqueuePending } from '../sites/sites.js';
import { deployRuntimeOf } from '../platform/deploy-runtime.js';

export type ProvisionStep = 'recorded' | 'postgres' | 'redis' | 'ready' | 'suspended';

export interface JobHooks {
  /** Called after each step; the crash test kills the worker here. */
  afterStep?(step: ProvisionStep | TeardownStep, siteId: string): Promise<void> | void;
}
export type TeardownStep = 'postgres-removed' | 'redis-removed' | 'deleted';

export interface WorkerOptions {
  hooks?: JobHooks;
  /** BullMQ lock settings: how soon a dead worker's job is taken over. */
  lockDuration?: number;
  stalledInterval?: number;
  concurrency?: number;
}

export interface JobContext {
  platform: Platform;
  provisioners: Provisioners;
  locks: SiteLocks;
  hooks: JobHooks;
}

const kinds: ResourceKind[] = ['postgres', 'redis'];

/** The site's resource records, creating the missing ones: placement and password chosen once, stored first. */
async function recordResources(ctx: JobContext, siteId: string): Promise<TenantResource[]> {
  const { db, secrets } = ctx.platform;
  const out: TenantResource[] = [];
  for (const kind of kinds) {
    let row = await db.selectFrom('site_resources').selectAll().where('site_id', '=', siteId).where('kind', '=', kind).executeTakeFirst();
    if (!row) {
      const p = ctx.provisioners.byKind(kind);
      const names = p.names(siteId);
      await db.insertInto('site_resources').values({
        site_id: siteId, kind, server: await leastLoaded(db, p), username: names.username, database: names.database, key_prefix: names.keyPrefix,
        secret_enc: secrets.seal(randomSecret(32), credentialContext(siteId, kind)),
      }).onConflict((oc) => oc.doNothing()).execute();
      row = await db.selectFrom('site_resources').selectAll().where('site_id', '=', siteId).where('kind', '=', kind).executeTakeFirstOrThrow();
    }
    out.push(openResource(secrets, row));
  }
  return out;
}

type Mode = 'enabled' | 'disabled' | 'none';
const modeOf = (s: SiteStatus | undefined): Mode => (s === 'provisioning' || s === 'ready' ? 'enabled' : s === 'suspended' ? 'disabled' : 'none');

export async function reconcileSite(ctx: JobContext, siteId: string): Promise<SiteStatus | 'gone'> {
  const { db } = ctx.platform;
  const step = async (s: ProvisionStep) => ctx.hooks.afterStep?.(s, siteId);
  return ctx.locks.withLock(siteId, async () => {
    for (let round = 0; round < 3; round++) {
      const site = await db.selectFrom('sites').select(['id', 'name', 'status', 'org_id']).where('id', '=', siteId).executeTakeFirst();
      if (!site) return 'gone';
      const mode = modeOf(site.status);
      if (mode === 'none') return site.status;
      const resources = await recordResources(ctx, siteId);
      await step('recorded');
      // Visitors of a suspended site get the edge's 503 page, never the 500s of a site whose
      // database and cache logins were just refused: the edges route it to that page first.
      if (mode === 'disabled') await deployRuntimeOf(ctx.platform).edge.changed();
      for (const r of resources) {
        const p = ctx.provisioners.byKind(r.kind);
        if (mode === 'enabled') await p.ensure(r);
        else await p.suspend(r);
        if (mode === 'enabled') await step(r.kind);
      }
      if (mode === 'disabled') await step('suspended');
      if (site.status === 'provisioning') {
        const done = await db.updateTable('sites').set({ status: 'ready', status_reason: null, updated_at: new Date() })
          .where('id', '=', siteId).where('status', '=', 'provisioning').executeTakeFirst();
        if (done.numUpdatedRows > 0n) await audit(db, systemActor, { action: 'site.ready', targetType: 'site', targetId: siteId, orgId: site.org_id });
        await step('ready');
      }
      // The status may have moved while we worked (a suspend during provisioning): go again.
      const now = await db.selectFrom('sites').select('status').where('id', '=', siteId).executeTakeFirst();
      if (modeOf(now?.status) === mode) return now?.status ?? 'gone';
    }
    return (await db.selectFrom('sites').select('status').where('id', '=', siteId).executeTakeFirst())?.status ?? 'gone';
  });
}

/** After the last retry: the site is marked failed with the reason, for the owner and operators to see. */
async function markFailed(platform: Platform, siteId: string, reason: string): Promise<void> {
  const res = await platform.db.updateTable('sites').set({ status: 'failed', status_reason: reason.slice(0, 500), updated_at: new Date() })
    .where('id', '=', siteId).where('status', '=', 'provisioning').executeTakeFirst();
  if (res.numUpdatedRows > 0n) await audit(platform.db, systemActor, { action: 'site.failed', targetType: 'site', targetId: siteId, details: { reason } });
}

/** Runs a queue's jobs with the shared context; records metrics; closes what it opened. */
export function startJobWorker<T extends { siteId: string }>(
  platform: Platform,
  queueName: string,
  handle: (ctx: JobContext, job: Job<T>) => Promise<unknown>,
  options: WorkerOptions = {},
  onFinalFailure?: (job: Job<T>, err: Error) => Promise<void>,
): Worker<T> {
  const concurrency = options.concurrency ?? platform.config.workerConcurrency;
  const ctx: JobContext = {
    platform,
    provisioners: createProvisioners(platform.config),
    locks: createSiteLocks(platform.config.databaseUrl, concurrency + 1),
    hooks: options.hooks ?? {},
  };
  const worker = new Worker<T>(queueName, async (job) => {
    const end = platform.metrics.jobDuration.startTimer({ queue: queueName });
    try {
      const out = await handle(ctx, job);
      platform.metrics.jobsTotal.inc({ queue: queueName, outcome: 'completed' });
      return out;
    } catch (err) {
      platform.metrics.jobsTotal.inc({ queue: queueName, outcome: 'failed' });
      platform.logger.warn({ err, queue: queueName, siteId: job.data.siteId, attempt: job.attemptsMade + 1 }, 'job failed; it will be retried');
      throw err;
    } finally {
      end();
    }
  }, {
    connection: platform.queues.connection,
    prefix: platform.queues.prefix,
    concurrency,
    lockDuration: options.lockDuration ?? 30_000,
    stalledInterval: options.stalledInterval ?? 30_000,
    maxStalledCount: 5,
  });
  worker.on('failed', (job, err) => {
    if (job && onFinalFailure && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      onFinalFailure(job, err).catch((e: unknown) => platform.logger.error({ err: e }, 'could not record a final job failure'));
    }
  });
  worker.on('error', (err) => platform.logger.error({ err, queue: queueName }, 'worker error'));
  worker.on('closed', () => {
    void ctx.provisioners.close();
    void ctx.locks.close();
  });
  return worker;
}

const REFILL_INTERVAL_MS = 2000;
const QUOTA_INTERVAL_MS = 60_000;
const SWEEP_INTERVAL_MS = 30_000;

export function startProvisionWorker(platform: Platform, options: WorkerOptions = {}): Worker<ProvisionJob> {
  const worker = startJobWorker<ProvisionJob>(platform, queueNames.provision, (ctx, job) => reconcileSite(ctx, job.data.siteId), options,
    (job, err) => markFailed(platform, job.data.siteId, err.message));
  // Keeping spare databases ready, and database sizes within quota, are the provisioning
  // workers' background chores.
  const provisioners = createProvisioners(platform.config);
  const refill = () => {
    void provisioners.postgres.refill().catch((err: unknown) => platform.logger.warn({ err }, 'could not refill spare databases'));
  };
  const timer = setInterval(refill, REFILL_INTERVAL_MS);
  timer.unref();
  refill();
  // Several workers may check at once; the check is idempotent, so that only costs queries.
  // Media volumes are the docker driver's; the process driver's folders are for development only.
  const mediaMeter = deploySettings(platform.config).driver === 'docker' ? new DockerDriver({ egress: null }) : null;
  const quotaTimer = setInterval(() => {
    enforceDatabaseQuotas(platform, provisioners).catch((err: unknown) => platform.logger.warn({ err }, 'could not check database quotas'));
    if (mediaMeter) checkMediaQuotas(platform, mediaMeter).catch((err: unknown) => platform.logger.warn({ err }, 'could not check media quotas'));
  }, QUOTA_INTERVAL_MS);
  quotaTimer.unref();
  const sweepTimer = setInterval(() => {
    enqueuePending(platform).catch((err: unknown) => platform.logger.warn({ err }, 'could not sweep for unqueued site jobs'));
  }, SWEEP_INTERVAL_MS);
  sweepTimer.unref();
  worker.on('closed', () => {
    clearInterval(timer);
    clearInterval(quotaTimer);
    clearInterval(sweepTimer);
    void provisioners.close();
  });
  return worker;
}
