// Who may touch which organisation and site. A caller outside an organisation learns nothing
// about it: its organisations and sites answer 404, exactly like ones that do not exist. A
// member whose role is too weak gets 403 naming the role needed.
import { errors } from '../errors.js';
import type { Db } from '../store/db.js';
import type { Role, Site } from '../store/schema.js';
import { atLeast } from './roles.js';

export interface OrgAccess {
  org: { id: string; name: string; plan: string; quota_overrides: Record<string, number>; personal: boolean; created_at: Date };
  role: Role;
}

export async function orgAccess(db: Db, accountId: string, orgName: string, needed: Role): Promise<OrgAccess> {
  const row = await db.selectFrom('organisations').innerJoin('memberships', 'memberships.org_id', 'organisations.id')
    .select(['organisations.id', 'organisations.name', 'organisations.plan', 'organisations.quota_overrides', 'organisations.personal', 'organisations.created_at', 'memberships.role'])
    .where('organisations.name', '=', orgName).where('memberships.account_id', '=', accountId).executeTakeFirst();
  if (!row) throw errors.orgNotFound(orgName);
  if (!atLeast(row.role, needed)) throw errors.forbiddenRole(needed);
  const { role, ...org } = row;
  return { org, role };
}

/** The name of the caller's personal organisation (the one signup made), if it still has one. */
export async function personalOrgName(db: Db, accountId: string): Promise<string | undefined> {
  const row = await db.selectFrom('organisations').innerJoin('memberships', 'memberships.org_id', 'organisations.id')
    .select('organisations.name').where('memberships.account_id', '=', accountId).where('organisations.personal', '=', true)
    .orderBy('organisations.created_at').executeTakeFirst();
  return row?.name;
}

export interface SiteAccess {
  site: Site;
  orgName: string;
  role: Role;
}

export async function siteAccess(db: Db, accountId: string, siteName: string, needed: Role): Promise<SiteAccess> {
  const row = await db.selectFrom('sites')
    .innerJoin('memberships', 'memberships.org_id', 'sites.org_id')
    .innerJoin('organisations', 'organisations.id', 'sites.org_id')
    .selectAll('sites').select(['memberships.role', 'organisations.name as org_name'])
    .where('sites.name', '=', siteName).where('sites.status', '<>', 'deleted').where('memberships.account_id', '=', accountId)
    .executeTakeFirst();
  if (!row) throw errors.siteNotFound(siteName);
  if (!atLeast(row.role, needed)) throw errors.forbiddenRole(needed);
  const { role, org_name, ...site } = row;
  return { site, orgName: org_name, role };
}
