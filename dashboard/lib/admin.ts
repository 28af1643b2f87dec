// The operator's view of the platform through the admin API: organisations, sites and their
// usage, the audit log; plans, quotas, suspensions.
import 'server-only';
import { api } from './api';
import type { Site } from './sites';

export type { AdminOrg, AuditEvent, PageInfo, SiteUsage } from '@paddock/control-plane/api-types';
import type { AdminOrg, AuditEvent, PageInfo, Quotas, SiteUsage } from '@paddock/control-plane/api-types';

export const PAGE_SIZE = 50;
const seg = encodeURIComponent;

export function adminOrgs(token: string, q: { q?: string; plan?: string; page?: number }): Promise<{ organisations: AdminOrg[]; page: PageInfo }> {
  return api('/v1/admin/orgs', { token, query: { q: q.q, plan: q.plan, page: q.page, limit: PAGE_SIZE } });
}

export function adminSites(token: string, q: { q?: string; status?: string; org?: string; page?: number }): Promise<{ sites: Site[]; page: PageInfo }> {
  return api('/v1/admin/sites', { token, query: { q: q.q, status: q.status, org: q.org, page: q.page, limit: PAGE_SIZE } });
}

export function adminSite(token: string, id: string): Promise<Site> {
  return api(`/v1/admin/sites/${seg(id)}`, { token });
}

export function adminSiteUsage(token: string, id: string): Promise<SiteUsage> {
  return api(`/v1/admin/sites/${seg(id)}/usage`, { token });
}

export function adminAudit(token: string, q: { action?: string; target?: string; org?: string; actor?: string; page?: number }): Promise<{ events: AuditEvent[]; page: PageInfo }> {
  return api('/v1/admin/audit', { token, query: { action: q.action, target: q.target, org: q.org, actor: q.actor, page: q.page, limit: PAGE_SIZE } });
}

export async function adminSetSuspended(token: string, siteId: string, suspended: boolean): Promise<void> {
  await api(`/v1/admin/sites/${seg(siteId)}/${suspended ? 'suspend' : 'resume'}`, { method: 'POST', token });
}

export async function adminDeleteSite(token: string, siteId: string): Promise<void> {
  await api(`/v1/admin/sites/${seg(siteId)}`, { method: 'DELETE', token });
}

export async function adminSetPlan(token: string, orgId: string, change: { plan?: string; quotas?: Partial<Quotas> }): Promise<void> {
  await api(`/v1/admin/orgs/${seg(orgId)}`, { method: 'PATCH', token, body: change });
}
