// The operator's view of the platform through the admin API: organisations, sites, the audit log.
import 'server-only';
import { api } from './api';

export interface Page<T> {
  items: T[];
  total?: number;
  nextCursor?: string | null;
}

export interface AdminOrg {
  id: string;
  name: string;
  plan: string;
  sites?: number;
  members?: number;
  createdAt?: string;
  quotaOverrides?: Record<string, number>;
}

export interface AdminSite {
  id: string;
  name: string;
  org?: string;
  orgName?: string;
  status: string;
  statusReason?: string | null;
  createdAt?: string;
}

export interface AuditEvent {
  id: string | number;
  at: string;
  actor?: string;
  actorLabel?: string;
  action: string;
  targetType?: string;
  targetId?: string | null;
  ip?: string | null;
}

function page<T>(r: unknown, key: string): Page<T> {
  if (Array.isArray(r)) return { items: r as T[] };
  const rec = (r ?? {}) as Record<string, unknown>;
  const items = (rec[key] ?? rec.items ?? []) as T[];
  return { items, total: typeof rec.total === 'number' ? rec.total : undefined, nextCursor: (rec.nextCursor as string | null | undefined) ?? null };
}

const seg = encodeURIComponent;

export async function adminOrgs(token: string, q: { search?: string; offset?: number }): Promise<Page<AdminOrg>> {
  return page<AdminOrg>(await api('/v1/admin/orgs', { token, query: { q: q.search, offset: q.offset } }), 'orgs');
}

export async function adminSites(token: string, q: { search?: string; offset?: number }): Promise<Page<AdminSite>> {
  return page<AdminSite>(await api('/v1/admin/sites', { token, query: { q: q.search, offset: q.offset } }), 'sites');
}

export async function adminAudit(token: string, q: { search?: string; offset?: number }): Promise<Page<AuditEvent>> {
  return page<AuditEvent>(await api('/v1/admin/audit', { token, query: { q: q.search, offset: q.offset } }), 'events');
}

export async function setSiteSuspended(token: string, site: string, suspended: boolean): Promise<void> {
  await api(`/v1/admin/sites/${seg(site)}/${suspended ? 'suspend' : 'resume'}`, { method: 'POST', token, body: {} });
}

export async function setOrgPlan(token: string, org: string, plan: string): Promise<void> {
  await api(`/v1/admin/orgs/${seg(org)}`, { method: 'PATCH', token, body: { plan } });
}
