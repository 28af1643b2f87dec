// Organisations, their members, invitations and the user's API tokens, through the API.
import 'server-only';
import { api } from './api';

export type Role = 'owner' | 'admin' | 'developer' | 'viewer';
export const ROLES: Role[] = ['owner', 'admin', 'developer', 'viewer'];

export interface Org {
  id: string;
  name: string;
  plan?: string;
  role?: Role;
  personal?: boolean;
}

export interface Member {
  accountId?: string;
  id?: string;
  email: string;
  name?: string;
  role: Role;
  createdAt?: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  createdAt?: string;
  expiresAt?: string;
}

export interface ApiToken {
  id: string;
  name: string;
  prefix?: string;
  scopes?: string[];
  createdAt?: string;
  lastUsedAt?: string | null;
  expiresAt?: string | null;
}

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
  return list<Org>(await api('/v1/orgs', { token }), 'orgs');
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

export async function listTokens(token: string): Promise<ApiToken[]> {
  return list<ApiToken>(await api('/v1/tokens', { token }), 'tokens');
}

export async function createToken(token: string, input: { name: string; scopes?: string[] }): Promise<{ token: string }> {
  return api<{ token: string }>('/v1/tokens', { method: 'POST', token, body: input });
}

export async function revokeToken(token: string, id: string): Promise<void> {
  await api(`/v1/tokens/${seg(id)}`, { method: 'DELETE', token });
}
