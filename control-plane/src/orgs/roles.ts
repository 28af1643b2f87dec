// Member roles, strongest first, and what each may do. A role may do everything the roles
// below it may.
import type { Role } from '../store/schema.js';

export const roles: readonly Role[] = ['owner', 'admin', 'developer', 'viewer'];

const rank: Record<Role, number> = { owner: 3, admin: 2, developer: 1, viewer: 0 };

export function atLeast(role: Role, needed: Role): boolean {
  return rank[role] >= rank[needed];
}

/**
 * The least role each action needs. Viewers read; developers deploy, change a site's settings
 * and read its secrets (env values, database passwords); admins create, delete, suspend sites
 * and manage members; owners manage owners and the organisation's subscription.
 */
export const needs = {
  read: 'viewer',
  readSecrets: 'developer',
  deploy: 'developer',
  configureSite: 'developer',
  createSite: 'admin',
  deleteSite: 'admin',
  suspendSite: 'admin',
  manageMembers: 'admin',
  manageOwners: 'owner',
  manageBilling: 'owner',
} as const satisfies Record<string, Role>;

/** An action a route may declare it needs (`config.auth.site` / `config.auth.org`). */
export type Action = keyof typeof needs;
