// Password reset links: signed (HMAC under a key derived from the master key), expiring, and
// single-use — the signature covers the current password hash, so a link dies the moment the
// password changes.
import type { Platform } from '../platform.js';

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
