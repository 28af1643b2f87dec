// The first operator: at start, the account named by PADDOCK_OPERATOR_EMAIL is created with
// PADDOCK_OPERATOR_PASSWORD and made an operator, unless it exists already. Safe to run from
// several API servers at once.
import type { Platform } from '../platform/platform.js';
import { createAccount } from './accounts.js';

export async function bootstrapOperator(platform: Pick<Platform, 'db' | 'config' | 'logger'>): Promise<void> {
  const { db, config, logger } = platform;
  if (!config.operatorEmail || !config.operatorPassword) return;
  const existing = await db.selectFrom('accounts').select(['id', 'is_operator']).where('email', '=', config.operatorEmail).executeTakeFirst();
  if (existing) return;
  const created = await createAccount(platform, { email: config.operatorEmail, password: config.operatorPassword, name: 'Operator', operator: true });
  if (created) logger.info({ email: config.operatorEmail }, 'first operator created; log in with PADDOCK_OPERATOR_EMAIL / PADDOCK_OPERATOR_PASSWORD');
}
