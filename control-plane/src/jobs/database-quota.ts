// The database-size quota, checked periodically by the provisioning workers (Postgres cannot cap
// a database's size itself). A ready site whose database outgrows its plan gets read-only
// transactions by default and a status reason saying why and what to do; once it shrinks or the
// plan grows, writes come back. This is a soft limit: a site's role can still
// `SET default_transaction_read_only = off` in its own session; a hard one needs tables owned by
// a role other than the site's.
import type { Platform } from '../platform/platform.js';
import { audit, systemActor } from '../audit/audit.js';
import { quotasOf } from '../orgs/plans.js';
import { openResource, type Provisioners } from '../provisioners/index.js';

const OVER = 'database over its quota';

export function overQuotaReason(limitMb: number): string {
  return `${OVER} of ${limitMb} MiB: new transactions are read-only until it shrinks below that or the plan grows`;
}

export async function enforceDatabaseQuotas(platform: Pick<Platform, 'db' | 'secrets'>, provisioners: Provisioners): Promise<{ limited: string[]; released: string[] }> {
  const { db } = platform;
  const rows = await db.selectFrom('sites')
    .innerJoin('organisations', 'organisations.id', 'sites.org_id')
    .innerJoin('site_resources', (j) => j.onRef('site_resources.site_id', '=', 'sites.id').on('site_resources.kind', '=', 'postgres'))
    .selectAll('site_resources').select(['sites.status_reason', 'sites.org_id', 'organisations.plan', 'organisations.quota_overrides'])
    .where('sites.status', '=', 'ready').execute();
  const limited: string[] = [];
  const released: string[] = [];
  for (const row of rows) {
    const resource = openResource(platform.secrets, row);
    const limitMb = quotasOf(row.plan, row.quota_overrides).databaseMb;
    const { databaseBytes = 0 } = await provisioners.postgres.usage(resource);
    const over = databaseBytes > limitMb * 1024 * 1024;
    const flagged = row.status_reason?.startsWith(OVER) ?? false;
    if (over === flagged) continue;
    await provisioners.postgres.setReadOnly(resource, over);
    await db.updateTable('sites').set({ status_reason: over ? overQuotaReason(limitMb) : null, updated_at: new Date() })
      .where('id', '=', row.site_id).where('status', '=', 'ready').execute();
    await audit(db, systemActor, { action: over ? 'site.database_read_only' : 'site.database_writable', targetType: 'site', targetId: row.site_id, orgId: row.org_id, details: { databaseBytes, limitMb } });
    (over ? limited : released).push(row.site_id);
  }
  return { limited, released };
}

// ---------------------------------------------------------------- media

const MEDIA_OVER = 'media over its quota';

export function mediaOverQuotaReason(limitMb: number): string {
  return `${MEDIA_OVER} of ${limitMb} MiB: new uploads are refused until files are deleted or the plan grows`;
}

/** What measures a site's media (the docker driver: its volume's size as the engine counts it). */
export interface MediaMeter { mediaBytes(site: string): Promise<number | undefined> }

/**
 * The media quota, measured on the platform's side. The runtime's storage already refuses a save past the quota it
 * gets as PADDOCK_MEDIA_QUOTA_BYTES (measuring the volume itself), but a site's code can write to its volume without
 * it, and Docker volumes have no size limit of their own: this check measures every ready site's volume, records when
 * one crosses its plan's mediaMb (audit event, and the site's status reason when no other reason is shown), and clears
 * that once it is back within. It flags; it does not delete or stop anything.
 */
export async function checkMediaQuotas(platform: Pick<Platform, 'db'>, meter: MediaMeter): Promise<{ over: string[]; within: string[] }> {
  const { db } = platform;
  const rows = await db.selectFrom('sites')
    .innerJoin('organisations', 'organisations.id', 'sites.org_id')
    .select(['sites.id', 'sites.name', 'sites.status_reason', 'sites.org_id', 'organisations.plan', 'organisations.quota_overrides'])
    .where('sites.status', '=', 'ready').execute();
  const over: string[] = [];
  const within: string[] = [];
  for (const row of rows) {
    const mediaBytes = await meter.mediaBytes(row.name);
    if (mediaBytes === undefined) continue;
    const limitMb = quotasOf(row.plan, row.quota_overrides).mediaMb;
    const isOver = mediaBytes > limitMb * 1024 * 1024;
    const flagged = row.status_reason?.startsWith(MEDIA_OVER) ?? false;
    if (isOver === flagged) continue;
    // Another reason (the database quota) stays visible; the audit log records the media crossing either way.
    if (isOver ? row.status_reason === null : flagged) {
      await db.updateTable('sites').set({ status_reason: isOver ? mediaOverQuotaReason(limitMb) : null, updated_at: new Date() })
        .where('id', '=', row.id).where('status', '=', 'ready').execute();
    }
    await audit(db, systemActor, { action: isOver ? 'site.media_over_quota' : 'site.media_within_quota', targetType: 'site', targetId: row.id, orgId: row.org_id, details: { mediaBytes, limitMb } });
    (isOver ? over : within).push(row.id);
  }
  return { over, within };
}
