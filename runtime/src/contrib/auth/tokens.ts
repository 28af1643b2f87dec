// Password-reset tokens (Django's PasswordResetTokenGenerator): no storage needed, because the token is an HMAC over
// the user's current password hash and last login. Resetting the password or logging in invalidates every token
// issued before; the timestamp bounds its life (PASSWORD_RESET_TIMEOUT).
import { constantTimeEqual, saltedHmac } from '../../signing/signer.js';

/** What a token is bound to; any user object with these fields works. */
export interface TokenUser {
  pk: number | string;
  password: string;
  lastLogin: Date | null;
  email?: string | null;
}

export interface TokenGeneratorOptions {
  secret: string;
  /** Former SECRET_KEYs still accepted (SECRET_KEY_FALLBACKS). */
  fallbackSecrets?: readonly string[];
  /** Seconds a token stays valid (Django's default: three days). */
  timeout?: number;
  /** Milliseconds since the epoch; tests inject a clock. */
  now?: () => number;
  keySalt?: string;
}

// Seconds since 2001-01-01, Django's epoch for these tokens (keeps them short).
const EPOCH = Date.UTC(2001, 0, 1);

/** Password reset tokens: HMACs over the user's password hash and last login, so a token works once and expires; nothing is stored. */
export class PasswordResetTokenGenerator {
  readonly timeout: number;
  readonly #secret: string;
  readonly #fallbacks: readonly string[];
  readonly #now: () => number;
  readonly #keySalt: string;

  constructor(options: TokenGeneratorOptions) {
    if (!options.secret) throw new TypeError('PasswordResetTokenGenerator needs the site\'s SECRET_KEY.');
    this.#secret = options.secret;
    this.#fallbacks = options.fallbackSecrets ?? [];
    this.timeout = options.timeout ?? 60 * 60 * 24 * 3;
    this.#now = options.now ?? Date.now;
    this.#keySalt = options.keySalt ?? 'paddock.contrib.auth.tokens.PasswordResetTokenGenerator';
  }

  #seconds(): number {
    return Math.floor((this.#now() - EPOCH) / 1000);
  }

  #hashValue(user: TokenUser, timestamp: number): string {
    // Truncated to whole seconds, as the database may store microseconds the token never saw.
    const login = user.lastLogin ? Math.floor(user.lastLogin.getTime() / 1000) : '';
    return `${user.pk}${user.password}${login}${timestamp}${user.email ?? ''}`;
  }

  #make(user: TokenUser, timestamp: number, secret: string): string {
    const ts = timestamp.toString(36);
    const digest = saltedHmac(this.#keySalt, this.#hashValue(user, timestamp), secret, 'sha256').toString('hex');
    // Every other character: shorter URLs, still 128 bits.
    let short = '';
    for (let i = 0; i < digest.length; i += 2) short += digest[i];
    return `${ts}-${short}`;
  }

  make(user: TokenUser): string {
    return this.#make(user, this.#seconds(), this.#secret);
  }

  check(user: TokenUser | null | undefined, token: string | null | undefined): boolean {
    if (!user || !token) return false;
    const dash = token.indexOf('-');
    if (dash < 1 || dash > 13) return false;
    const tsPart = token.slice(0, dash);
    if (!/^[0-9a-z]+$/.test(tsPart)) return false;
    const timestamp = parseInt(tsPart, 36);
    if (!Number.isSafeInteger(timestamp)) return false;
    let ok = false;
    for (const secret of [this.#secret, ...this.#fallbacks]) {
      if (constantTimeEqual(this.#make(user, timestamp, secret), token)) ok = true;
    }
    if (!ok) return false;
    return this.#seconds() - timestamp <= this.timeout;
  }
}
