// Accounts: creating one (with its personal organisation, of which it is the owner) and
// checking a login, re-hashing the password when the cost setting has changed.
import { randomBytes } from 'node:crypto';
import type { Platform } from '../platform.js';
import type { Account } from '../store/schema.js';
import { audit, type Actor } from '../audit/audit.js';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from './password.js';

type Deps = Pick<Platform, 'db' | 'config'>;

export interface NewAccount {
  email: string;
  password: string;
  name?: string;
  operator?: boolean;
}

/** A DNS-label organisation name from an email's local part, with a random tail to stay unique. */
function personalOrgName(email: string): string {
  const base = (email.split('@')[0] ?? 'org').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'org';
  return `${base}-${randomBytes(3).toString('hex')}`;
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === '23505';
}

/** Creates the account and its personal organisation; undefined when the email is taken. */
export async function createAccount(deps: Deps, input: NewAccount, context: { actor?: Actor; ip?: string } = {}): Promise<{ account: Account; orgId: string; orgName: string } | undefined> {
  const email = input.email.trim().toLowerCase();
  const passwordHash = await hashPassword(input.password, deps.config.passwordCost);
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const account = await trx.insertInto('accounts')
        .values({ email, name: input.name ?? '', password_hash: passwordHash, is_operator: input.operator ?? false })
        .returningAll().executeTakeFirstOrThrow();
      const org = await trx.insertInto('organisations')
        .values({ name: personalOrgName(email), personal: true, quota_overrides: '{}' })
        .returning(['id', 'name']).executeTakeFirstOrThrow();
      await trx.insertInto('memberships').values({ org_id: org.id, account_id: account.id, role: 'owner' }).execute();
      const who: Actor = context.actor ?? { accountId: account.id, label: email, ip: context.ip ?? null };
      await audit(trx, who, { action: 'account.create', targetType: 'account', targetId: account.id, orgId: org.id, details: { operator: account.is_operator } });
      return { account, orgId: org.id, orgName: org.name };
    });
  } catch (e) {
    if (isUniqueViolation(e)) return undefined;
    throw e;
  }
}

/** The account when email and password match; spends the same time when the email is unknown. */
export async function checkLogin(deps: Deps, email: string, password: string): Promise<Account | undefined> {
  const account = await deps.db.selectFrom('accounts').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
  if (!account) {
    await verifyPassword(password, await decoyHash(deps.config.passwordCost));
    return undefined;
  }
  if (!(await verifyPassword(password, account.password_hash))) return undefined;
  if (needsRehash(account.password_hash, deps.config.passwordCost)) {
    const rehashed = await hashPassword(password, deps.config.passwordCost);
    await deps.db.updateTable('accounts').set({ password_hash: rehashed, updated_at: new Date() })
      .where('id', '=', account.id).where('password_hash', '=', account.password_hash).execute();
    account.password_hash = rehashed;
  }
  return account;
}
