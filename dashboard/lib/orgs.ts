// Organisations, their members, invitations and the user's API tokens, through the API.
import 'server-only';
import { api } from './api';

export type { ApiToken, Invitation, Member, Org, Quotas, Role, TokenScope as Scope } from '@paddock/control-plane/api-types';
import type { ApiToken, Invitation, Member, Org, Role, TokenScope as Scope } from '@paddock/control-plane/api-types';
export const ROLES: Role[] = ['owner', 'admin', 'developer', 'viewer'];

function list<T>(r: unknown, key: string): T[] {
  if (Array.isArray(r)) return r as T[];
  if (r && typeof r === 'object') {
    const rec = r as Record<string, unknown>;
    const v = rec[key] ?? rec.items;
    if (Array.isArray(v)) return v as T[];
  }
  return [];
}

const seg = encodeURIComponent;

export async function listOrgs(token: string): Promise<Org[]> {
  return list<Org>(await api('/v1/orgs', { token }), 'organisations');
}

export function getOrg(token: string, org: string): Promise<Org> {
  return api<Org>(`/v1/orgs/${seg(org)}`, { token });
}

export async function listMembers(token: string, org: string): Promise<Member[]> {
  return list<Member>(await api(`/v1/orgs/${seg(org)}/members`, { token }), 'members');
}

export async function listInvitations(token: string, org: string): Promise<Invitation[]> {
  return list<Invitation>(await api(`/v1/orgs/${seg(org)}/invitations`, { token }), 'invitations');
}

export async function invite(token: string, org: string, input: { email: string; role: Role }): Promise<void> {
  await api(`/v1/orgs/${seg(org)}/invitations`, { method: 'POST', token, body: input });
}

export async function withdrawInvitation(token: string, org: string, id: string): Promise<void> {
  await api(`/v1/orgs/${seg(org)}/invitations/${seg(id)}`, { method: 'DELETE', token });
}

export async function setMemberRole(token: string, org: string, accountId: string, role: Role): Promise<void> {
  await api(`/v1/orgs/${seg(org)}/members/${seg(accountId)}`, { method: 'PATCH', token, body: { role } });
}

export async function removeMember(token: string, org: string, accountId: string): Promise<void> {
  await api(`/v1/orgs/${seg(org)}/members/${seg(accountId)}`, { method: 'DELETE', token });
}

export async function acceptInvitation(token: string, invitation: string): Promise<Org> {
  return api<Org>('/v1/invitations/accept', { method: 'POST', token, body: { token: invitation } });
}

export async function listTokens(token: string): Promise<ApiToken[]> {
  return list<ApiToken>(await api('/v1/tokens', { token }), 'tokens');
}

export async function createToken(token: string, input: { name: string; scopes: Scope[]; expiresInDays?: number }): Promise<{ token: string }> {
  return api<{ token: string }>('/v1/tokens', { method: 'POST', token, body: input });
}

export async function revokeToken(token: string, id: string): Promise<void> {
  await api(`/v1/tokens/${seg(id)}`, { method: 'DELETE', token });
}
