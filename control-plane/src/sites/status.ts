// A site's life: provisioning → ready ⇄ suspended, any of them → deleting → deleted, and
// provisioning → failed (after every retry) → provisioning again or deleting. Every change goes
// through `transition`, a conditional UPDATE, so two racing requests cannot both win.
import { errors } from '../errors.js';
import type { Db } from '../store/db.js';
import type { Site, SiteStatus } from '../store/schema.js';

export const transitions: Record<SiteStatus, readonly SiteStatus[]> = {
  provisioning: ['ready', 'failed', 'deleting'],
  ready: ['suspended', 'deleting'],
  suspended: ['ready', 'deleting'],
  failed: ['provisioning', 'deleting'],
  deleting: ['deleted'],
  deleted: [],
};

export const siteStatuses = Object.keys(transitions) as SiteStatus[];

export function canTransition(from: SiteStatus, to: SiteStatus): boolean {
  return transitions[from].includes(to);
}

const verbs: Partial<Record<SiteStatus, string>> = { ready: 'become ready', suspended: 'be suspended', deleting: 'be deleted', deleted: 'be deleted', provisioning: 'be provisioned again', failed: 'fail' };

/** Moves the site to `to` when its current status allows; returns the updated row or throws 409. */
export async function transition(db: Db, site: Pick<Site, 'id' | 'name'>, to: SiteStatus, reason: string | null = null): Promise<Site> {
  const from = siteStatuses.filter((s) => canTransition(s, to));
  const row = await db.updateTable('sites')
    .set({ status: to, status_reason: reason, updated_at: new Date(), ...(to === 'deleted' ? { deleted_at: new Date() } : {}) })
    .where('id', '=', site.id).where('status', 'in', from).returningAll().executeTakeFirst();
  if (row) return row;
  const current = await db.selectFrom('sites').select('status').where('id', '=', site.id).executeTakeFirst();
  throw errors.siteState(site.name, current?.status ?? 'gone', verbs[to] ?? `become ${to}`);
}
