// Accounts: signing up (an account with its personal organisation, of which it is the owner),
// logging in (re-hashing the password when the cost setting has changed), and who an account is.
import { randomBytes } from 'node:crypto';
import type { Platform } from '../platform/platform.js';
import type { Account, Role } from '../store/schema.js';
import { errors } from '../errors.js';
import { audit, type Actor } from '../audit/audit.js';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from './password.js';
import { createSession, type NewSession } from './sessions.js';

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

/** Where a session is opened from, as the sessions table records it. */
export interface SessionMeta {
  ip: string;
  userAgent: string | null;
}

/** Signup: the account, its personal organisation and a session; refuses an email already taken. */
export async function signUp(deps: Deps, input: NewAccount, meta: SessionMeta): Promise<{ account: Account; orgId: string; orgName: string; session: NewSession }> {
  const created = await createAccount(deps, input, { ip: meta.ip });
  if (!created) throw errors.emailTaken();
  const session = await createSession(deps.db, created.account.id, deps.config.sessionTtlHours, meta);
  return { ...created, session };
}

/** Login with email and password: a new session, audited; refuses a wrong password and a suspended account. */
export async function logIn(deps: Deps, email: string, password: string, meta: SessionMeta): Promise<{ account: Account; session: NewSession }> {
  const account = await checkLogin(deps, email, password);
  if (!account) throw errors.badCredentials();
  if (account.status !== 'active') throw errors.accountSuspended();
  const session = await createSession(deps.db, account.id, deps.config.sessionTtlHours, meta);
  await audit(deps.db, { accountId: account.id, label: account.email, ip: meta.ip }, { action: 'session.create', targetType: 'session', targetId: session.id });
  return { account, session };
}

/** The account and the organisations it belongs to, by name. */
export async function accountOverview(db: Deps['db'], accountId: string): Promise<{
  account: Pick<Account, 'id' | 'email' | 'name' | 'is_operator'>;
  organisations: { id: string; name: string; role: Role }[];
}> {
  const account = await db.selectFrom('accounts').select(['id', 'email', 'name', 'is_operator']).where('id', '=', accountId).executeTakeFirstOrThrow();
  const organisations = await db.selectFrom('memberships').innerJoin('organisations', 'organisations.id', 'memberships.org_id')
    .select(['organisations.id', 'organisations.name', 'memberships.role']).where('memberships.account_id', '=', accountId).orderBy('organisations.name').execute();
  return { account, organisations };
}
