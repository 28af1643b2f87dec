// Login throttling: failed attempts are counted in the site's cache per account and per client address, and
// further attempts are refused for a while once a limit is reached (before the password hasher even runs).
import type { Cache } from '../../cache/cache.js';
import { createHash } from 'node:crypto';

/** Login failures allowed per username and per address within a window (defaults 5, 30, 900 s). */
export interface ThrottleOptions {
  /** Failures allowed per username (any address) within the window. */
  perUser?: number;
  /** Failures allowed per client address (any username) within the window: stops password spraying. */
  perAddress?: number;
  /** Seconds. */
  window?: number;
}

export interface ThrottleState {
  allowed: boolean;
  /** Seconds until the window ends, when refused. */
  retryAfter: number;
}

function keyPart(s: string): string {
  // Usernames are user input: hash them so that no key is too long or carries odd bytes.
  return createHash('sha256').update(s.toLowerCase()).digest('base64url').slice(0, 22);
}

/** Counts failed logins in the site's cache and refuses more once a limit is reached, until the window passes. */
export class LoginThrottle {
  readonly perUser: number;
  readonly perAddress: number;
  readonly window: number;

  constructor(readonly cache: Cache, options: ThrottleOptions = {}) {
    this.perUser = options.perUser ?? 5;
    this.perAddress = options.perAddress ?? 30;
    this.window = options.window ?? 15 * 60;
  }

  #keys(username: string, address: string): [string, string] {
    return [`auth.throttle.user.${keyPart(username)}`, `auth.throttle.ip.${keyPart(address)}`];
  }

  async check(username: string, address: string): Promise<ThrottleState> {
    const [userKey, ipKey] = this.#keys(username, address);
    const counts = await this.cache.getMany<number>([userKey, ipKey]);
    const allowed = (counts.get(userKey) ?? 0) < this.perUser && (counts.get(ipKey) ?? 0) < this.perAddress;
    return { allowed, retryAfter: allowed ? 0 : this.window };
  }

  async recordFailure(username: string, address: string): Promise<void> {
    for (const key of this.#keys(username, address)) {
      // add() starts the window on the first failure; incr() keeps its TTL, so the window does not slide.
      if (!(await this.cache.add(key, 1, { timeout: this.window }))) {
        try {
          await this.cache.incr(key);
        } catch {
          await this.cache.add(key, 1, { timeout: this.window }); // expired between add and incr
        }
      }
    }
  }

  /** After a successful login the account's counter starts again; the address counter keeps counting. */
  async recordSuccess(username: string): Promise<void> {
    await this.cache.delete(this.#keys(username, '')[0]);
  }
}
