// Password reset links: signed (HMAC under a key derived from the master key), expiring, and
// single-use — the signature covers the current password hash, so a link dies the moment the
// password changes. Setting the new password ends every session and revokes every API token.
import type { Platform } from '../platform/platform.js';
import { errors } from '../errors.js';
import { audit } from '../audit/audit.js';
import { hashPassword } from './password.js';

const PURPOSE = 'password-reset';
export const RESET_TTL_MS = 60 * 60_000;

interface Payload { a: string; e: number }

export function resetToken(platform: Pick<Platform, 'secrets'>, account: { id: string; password_hash: string }, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ a: account.id, e: now + RESET_TTL_MS } satisfies Payload)).toString('base64url');
  const mac = platform.secrets.sign(PURPOSE, `${payload}.${account.password_hash}`);
  return `${payload}.${mac.toString('base64url')}`;
}

/** The account id the token was issued for, when it is genuine, unexpired and unused. */
export async function checkResetToken(platform: Pick<Platform, 'secrets' | 'db'>, token: string): Promise<{ id: string; password_hash: string } | undefined> {
  const [payload, mac] = token.split('.');
  if (!payload || !mac) return undefined;
  let parsed: Payload;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Payload;
  } catch {
    return undefined;
  }
  if (typeof parsed.a !== 'string' || !/^[0-9a-f-]{36}$/.test(parsed.a) || typeof parsed.e !== 'number' || parsed.e < Date.now()) return undefined;
  const account = await platform.db.selectFrom('accounts').select(['id', 'password_hash']).where('id', '=', parsed.a).executeTakeFirst();
  if (!account) return undefined;
  return platform.secrets.verify(PURPOSE, `${payload}.${account.password_hash}`, Buffer.from(mac, 'base64url')) ? account : undefined;
}

/** Mails a reset link when the email has an account; says nothing either way (the caller answers the same). */
export async function sendPasswordReset(platform: Pick<Platform, 'db' | 'secrets' | 'config' | 'mailer'>, email: string): Promise<void> {
  const account = await platform.db.selectFrom('accounts').select(['id', 'email', 'password_hash']).where('email', '=', email.toLowerCase()).executeTakeFirst();
  if (!account) return;
  const link = `${platform.config.publicUrl}/reset-password?token=${encodeURIComponent(resetToken(platform, account))}`;
  await platform.mailer.send({ to: account.email, subject: 'Reset your Paddock password', text: `Someone asked to reset the password of your Paddock account.\n\nTo choose a new one, open this link within an hour:\n${link}\n\nIf it was not you, ignore this message.` });
}

/** Sets the new password with a reset token; every session ends and every API token is revoked with it. */
export async function resetPassword(platform: Pick<Platform, 'db' | 'secrets' | 'config'>, token: string, password: string, ip: string): Promise<void> {
  const account = await checkResetToken(platform, token);
  if (!account) throw errors.resetTokenInvalid();
  const hash = await hashPassword(password, platform.config.passwordCost);
  const changed = await platform.db.transaction().execute(async (trx) => {
    const res = await trx.updateTable('accounts').set({ password_hash: hash, updated_at: new Date() })
      .where('id', '=', account.id).where('password_hash', '=', account.password_hash).executeTakeFirst();
    if (res.numUpdatedRows === 0n) return false;
    await trx.deleteFrom('sessions').where('account_id', '=', account.id).execute();
    // Whoever forced the reset may hold a token too: it must not outlive the old password.
    await trx.updateTable('api_tokens').set({ revoked_at: new Date() }).where('account_id', '=', account.id).where('revoked_at', 'is', null).execute();
    await audit(trx, { accountId: account.id, label: 'password-reset', ip }, { action: 'account.password_reset', targetType: 'account', targetId: account.id });
    return true;
  });
  if (!changed) throw errors.resetTokenInvalid();
}
