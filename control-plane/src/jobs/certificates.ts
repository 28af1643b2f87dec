// The certificates queue: one job per custom domain to issue or renew (job id `certificate:<host>`,
// so asking twice while one waits queues it once), and a sweep every hour that finds domains due
// (new, within 30 days of expiry, failed and past their retry time). Issuance itself is in
// certificates/issuance.ts; without PADDOCK_ACME_DIRECTORY the worker does not run.
import { Worker } from 'bullmq';
import type { Platform } from '../platform/platform.js';
import { deployRuntimeOf } from '../platform/deploy-runtime.js';
import { dueForIssuance, enqueueCertificate, issueCertificate, type IssuanceDeps } from '../certificates/issuance.js';
import { queueNames, type CertificateJob } from '../platform/queues.js';
import type { WorkerOptions } from './provision.js';

export function issuanceDeps(platform: Platform): IssuanceDeps {
  const { config } = platform;
  return {
    db: platform.db, secrets: platform.secrets, logger: platform.logger, edge: deployRuntimeOf(platform).edge, siteDomain: config.siteDomain,
    acme: { directoryUrl: config.acmeDirectory, email: config.acmeEmail, caFile: config.acmeCaFile },
  };
}

export function startCertificateWorker(platform: Platform, options: WorkerOptions & { everyMs?: number } = {}): Worker<CertificateJob> {
  const deps = issuanceDeps(platform);
  void platform.queues.certificates.upsertJobScheduler('certificate-sweep', { every: options.everyMs ?? 3600_000 }, { name: 'sweep', data: {}, opts: { attempts: 1 } })
    .catch((err: unknown) => platform.logger.error({ err }, 'could not schedule the certificate sweep'));
  const worker = new Worker<CertificateJob>(queueNames.certificates, async (job) => {
    if (!platform.config.acmeDirectory) return undefined;
    if (!job.data.host) {
      const due = await dueForIssuance(deps);
      for (const host of due) await enqueueCertificate(platform, host);
      return { queued: due };
    }
    return issueCertificate(deps, job.data.host);
  }, { connection: platform.queues.connection, prefix: platform.queues.prefix, concurrency: 1 });
  worker.on('error', (err) => platform.logger.error({ err }, 'certificate worker error'));
  return worker;
}
