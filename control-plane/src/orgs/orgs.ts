// Organisations: the ones an account belongs to, and creating one (its creator becomes its owner).
import { errors } from '../errors.js';
import { audit, type Actor } from '../audit/audit.js';
import type { Db } from '../store/db.js';
import type { Organisation, Role } from '../store/schema.js';

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === '23505';
}

/** The account's organisations with its role in each, by name. */
export async function memberOrgs(db: Db, accountId: string): Promise<(Organisation & { role: Role })[]> {
  return db.selectFrom('organisations').innerJoin('memberships', 'memberships.org_id', 'organisations.id')
    .selectAll('organisations').select('memberships.role').where('memberships.account_id', '=', accountId).orderBy('organisations.name').execute();
}

/** A new organisation owned by the account; its name is unique on the platform. */
export async function createOrg(db: Db, actor: Actor, accountId: string, name: string): Promise<Organisation> {
  try {
    return await db.transaction().execute(async (trx) => {
      const o = await trx.insertInto('organisations').values({ name, quota_overrides: '{}' }).returningAll().executeTakeFirstOrThrow();
      await trx.insertInto('memberships').values({ org_id: o.id, account_id: accountId, role: 'owner' }).execute();
      await audit(trx, actor, { action: 'organisation.create', targetType: 'organisation', targetId: o.id, orgId: o.id, details: { name: o.name } });
      return o;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw errors.orgNameTaken(name);
    throw e;
  }
}
