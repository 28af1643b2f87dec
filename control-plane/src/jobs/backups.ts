// The backup queue's worker: site backups, restores, and the daily round (a BullMQ job scheduler on
// PADDOCK_BACKUP_SCHEDULE) that queues every site's backup, expires backups past their plan's
// window and drops the databases restores replaced a day ago. One job at a time: dumps and
// restores are heavy on the database server.
import { Worker, type Job } from 'bullmq';
import type { Platform } from '../platform/platform.js';
import { createProvisioners } from '../provisioners/index.js';
import { deployRuntimeOf } from '../platform/deploy-runtime.js';
import type { DeployRuntime } from '../platform/deploy-runtime.js';
import { queueNames, type BackupJob } from '../platform/queues.js';
import type { WorkerOptions } from './provision.js';
import { expireBackups, failBackup, runBackup, scheduleDailyBackups } from '../backups/backups.js';
import { dropReplacedDatabases, failRestore, runRestore } from '../backups/restores.js';

export function startBackupWorker(platform: Platform, options: WorkerOptions & { deps?: DeployRuntime } = {}): Worker<BackupJob> {
  const deps = () => options.deps ?? deployRuntimeOf(platform);
  const provisioners = createProvisioners(platform.config);
  void platform.queues.backup.upsertJobScheduler('backup-daily', { pattern: platform.config.backupSchedule }, { name: 'daily', data: { daily: true }, opts: { attempts: 3 } })
    .catch((err: unknown) => platform.logger.error({ err }, 'could not schedule the daily backups'));
  const worker = new Worker<BackupJob>(queueNames.backup, async (job: Job<BackupJob>) => {
    const end = platform.metrics.jobDuration.startTimer({ queue: queueNames.backup });
    try {
      const data = job.data;
      if ('backupId' in data) {
        const t0 = Date.now();
        const b = await runBackup(platform, deps().artifacts, provisioners, data.backupId);
        platform.logger.info({ backup: data.backupId, status: b?.status, ms: Date.now() - t0, bytes: b?.size }, 'site backup');
        return { status: b?.status };
      }
      if ('restoreId' in data) {
        const r = await runRestore(deps(), provisioners, data.restoreId);
        platform.logger.info({ restore: data.restoreId, status: r?.status, error: r?.error }, 'site restore');
        return { status: r?.status };
      }
      const queued = await scheduleDailyBackups(platform);
      const expired = await expireBackups(platform, deps().artifacts);
      const dropped = await dropReplacedDatabases(platform, provisioners);
      platform.logger.info({ queued, expired, dropped }, 'daily backup round');
      return { queued, expired, dropped };
    } finally {
      end();
    }
  }, {
    connection: platform.queues.connection,
    prefix: platform.queues.prefix,
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDuration ?? 120_000,
    ...(options.stalledInterval ? { stalledInterval: options.stalledInterval } : {}),
  });
  // Out of attempts: the backup or restore is recorded as failed with its reason.
  worker.on('failed', (job, err) => {
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    platform.metrics.jobsTotal.inc({ queue: queueNames.backup, outcome: 'failed' });
    const data = job.data;
    const reason = err.message;
    platform.logger.error({ err, data }, 'backup job failed for good');
    if ('backupId' in data) void failBackup(platform, deps().artifacts, data.backupId, reason).catch(() => undefined);
    if ('restoreId' in data) void failRestore(deps(), provisioners, data.restoreId, reason).catch(() => undefined);
  });
  worker.on('error', (err) => platform.logger.error({ err }, 'backup worker error'));
  worker.on('closed', () => { void provisioners.close(); });
  return worker;
}
