// Password hashing, Django-compatible: "algorithm$params$salt$hash" strings, a configurable list whose first
// entry is preferred, verification by whichever hasher wrote the hash, and upgrade of weaker hashes on login.
import { pbkdf2, randomInt, scrypt, createHash, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { promisify } from 'node:util';
import { ImproperlyConfigured } from '../../errors.js';

const pbkdf2Async = promisify(pbkdf2);
const scryptAsync = promisify(scrypt) as (password: string, salt: string, keylen: number, options: ScryptOptions) => Promise<Buffer>;

/** Prefix of a password that can never match (Django's UNUSABLE_PASSWORD_PREFIX): users who log in another way. */
export const UNUSABLE_PASSWORD_PREFIX = '!';
const SALT_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** One password hashing algorithm: encodes a password into "algorithm$params$salt$hash" and verifies it. */
export interface PasswordHasher {
  /** The first field of the encoded string, e.g. "pbkdf2_sha256". */
  readonly algorithm: string;
  encode(password: string, salt?: string): Promise<string>;
  verify(password: string, encoded: string): Promise<boolean>;
  /** True when the hash was made with weaker parameters than this hasher now uses. */
  mustUpdate(encoded: string): boolean;
  /** Extra work when verifying an outdated hash fails, so that timing does not reveal which users have old hashes. */
  hardenRuntime?(password: string, encoded: string): Promise<void>;
}

/** 22 characters from 62: about 131 bits, Django's salt size. */
export function randomSalt(length = 22): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SALT_CHARS[randomInt(SALT_CHARS.length)];
  return out;
}

function checkSalt(salt: string): void {
  if (!salt || salt.includes('$')) throw new ImproperlyConfigured('A password salt must be non-empty and must not contain "$".');
}

function equalStrings(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function parseIntField(s: string | undefined): number {
  const n = Number(s);
  return Number.isSafeInteger(n) && n > 0 ? n : NaN;
}

/** PBKDF2 with SHA-256 (1,000,000 iterations by default): the default, Django-compatible. */
export class PBKDF2PasswordHasher implements PasswordHasher {
  readonly algorithm: string;
  readonly digest: 'sha256' | 'sha1';
  readonly iterations: number;

  /** Django 5.0's count; raise it as hardware gets faster, stored hashes follow on their next login. */
  constructor(options: { iterations?: number; digest?: 'sha256' | 'sha1' } = {}) {
    this.digest = options.digest ?? 'sha256';
    this.algorithm = `pbkdf2_${this.digest}`;
    this.iterations = options.iterations ?? 1_000_000;
  }

  async encode(password: string, salt = randomSalt(), iterations = this.iterations): Promise<string> {
    checkSalt(salt);
    const keylen = this.digest === 'sha256' ? 32 : 20;
    const hash = await pbkdf2Async(password, salt, iterations, keylen, this.digest);
    return `${this.algorithm}$${iterations}$${salt}$${hash.toString('base64')}`;
  }

  decode(encoded: string): { iterations: number; salt: string; hash: string } | null {
    const [algorithm, iterations, salt, hash, ...rest] = encoded.split('$');
    const n = parseIntField(iterations);
    if (algorithm !== this.algorithm || !salt || !hash || rest.length || Number.isNaN(n)) return null;
    // An attacker-supplied hash (e.g. from loaddata) must not pin a CPU for minutes.
    if (n > 100_000_000) return null;
    return { iterations: n, salt, hash };
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    const d = this.decode(encoded);
    if (!d) return false;
    return equalStrings(encoded, await this.encode(password, d.salt, d.iterations));
  }

  mustUpdate(encoded: string): boolean {
    const d = this.decode(encoded);
    return !d || d.iterations !== this.iterations;
  }

  async hardenRuntime(password: string, encoded: string): Promise<void> {
    const d = this.decode(encoded);
    const extra = d ? this.iterations - d.iterations : 0;
    if (d && extra > 0) await this.encode(password, d.salt, extra);
  }
}

/** Kept so that hashes imported from older systems verify and get upgraded; never a sensible first choice. */
export class PBKDF2SHA1PasswordHasher extends PBKDF2PasswordHasher {
  constructor(options: { iterations?: number } = {}) {
    super({ ...options, digest: 'sha1' });
  }
}

/** scrypt: memory-hard, Django-compatible. */
export class ScryptPasswordHasher implements PasswordHasher {
  readonly algorithm = 'scrypt';
  readonly workFactor: number;
  readonly blockSize: number;
  readonly parallelism: number;

  constructor(options: { workFactor?: number; blockSize?: number; parallelism?: number } = {}) {
    this.workFactor = options.workFactor ?? 2 ** 14;
    this.blockSize = options.blockSize ?? 8;
    this.parallelism = options.parallelism ?? 1;
  }

  async encode(password: string, salt = randomSalt(), n = this.workFactor, r = this.blockSize, p = this.parallelism): Promise<string> {
    checkSalt(salt);
    const hash = await scryptAsync(password, salt, 64, { N: n, r, p, maxmem: 128 * n * r * p + 1024 * 1024 * 32 });
    return `scrypt$${n}$${salt}$${r}$${p}$${hash.toString('base64')}`;
  }

  decode(encoded: string): { n: number; salt: string; r: number; p: number } | null {
    const [algorithm, n, salt, r, p, hash, ...rest] = encoded.split('$');
    const [nn, rr, pp] = [parseIntField(n), parseIntField(r), parseIntField(p)];
    if (algorithm !== 'scrypt' || !salt || !hash || rest.length || [nn, rr, pp].some(Number.isNaN)) return null;
    // Bound the memory an attacker-supplied hash could demand (128·N·r·p bytes).
    if (128 * nn * rr * pp > 256 * 1024 * 1024) return null;
    return { n: nn, salt, r: rr, p: pp };
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    const d = this.decode(encoded);
    if (!d) return false;
    try {
      return equalStrings(encoded, await this.encode(password, d.salt, d.n, d.r, d.p));
    } catch {
      return false; // parameters scrypt refuses (N not a power of two, ...)
    }
  }

  mustUpdate(encoded: string): boolean {
    const d = this.decode(encoded);
    return !d || d.n !== this.workFactor || d.r !== this.blockSize || d.p !== this.parallelism;
  }
}

/** Salted MD5: only to read hashes from legacy systems (and for fast tests); they are upgraded on the next login. */
export class MD5PasswordHasher implements PasswordHasher {
  readonly algorithm = 'md5';

  async encode(password: string, salt = randomSalt()): Promise<string> {
    checkSalt(salt);
    return `md5$${salt}$${createHash('md5').update(salt + password).digest('hex')}`;
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    const [algorithm, salt, hash, ...rest] = encoded.split('$');
    if (algorithm !== 'md5' || !salt || !hash || rest.length) return false;
    return equalStrings(encoded, await this.encode(password, salt));
  }

  mustUpdate(_encoded: string): boolean {
    return false;
  }
}

export interface CheckResult {
  /** The password matches the stored hash. */
  valid: boolean;
  /** The stored hash should be replaced by one from the preferred hasher (only acted on when valid). */
  needsUpgrade: boolean;
}

/**
 * The site's hashers, in order of preference (PASSWORD_HASHERS). New hashes use the first; any listed one can verify.
 * Removing a hasher from the list makes its hashes fail, so keep old ones listed until their users have logged in.
 */
export class PasswordHashers {
  readonly preferred: PasswordHasher;
  readonly #byAlgorithm = new Map<string, PasswordHasher>();

  constructor(hashers: readonly PasswordHasher[]) {
    const [first] = hashers;
    if (!first) throw new ImproperlyConfigured('PASSWORD_HASHERS is empty. List at least one hasher, e.g. new PBKDF2PasswordHasher().');
    this.preferred = first;
    for (const h of hashers) if (!this.#byAlgorithm.has(h.algorithm)) this.#byAlgorithm.set(h.algorithm, h);
  }

  /** The hasher that wrote `encoded`, or undefined for unusable or unknown hashes. */
  identify(encoded: string): PasswordHasher | undefined {
    if (!isPasswordUsable(encoded)) return undefined;
    return this.#byAlgorithm.get(encoded.slice(0, encoded.indexOf('$')));
  }

  /** A new hash with the preferred hasher. `null` makes an unusable password (Django's set_unusable_password). */
  async make(password: string | null): Promise<string> {
    if (password === null) return UNUSABLE_PASSWORD_PREFIX + randomSalt(40);
    return this.preferred.encode(password);
  }

  needsUpgrade(encoded: string): boolean {
    const hasher = this.identify(encoded);
    return !!hasher && (hasher.algorithm !== this.preferred.algorithm || this.preferred.mustUpdate(encoded));
  }

  async check(password: string | null | undefined, encoded: string | null | undefined): Promise<CheckResult> {
    if (password === null || password === undefined || !encoded) return { valid: false, needsUpgrade: false };
    const hasher = this.identify(encoded);
    if (!hasher) return { valid: false, needsUpgrade: false };
    const changed = hasher.algorithm !== this.preferred.algorithm;
    const needsUpgrade = changed || this.preferred.mustUpdate(encoded);
    const valid = await hasher.verify(password, encoded);
    if (!valid && !changed && needsUpgrade && hasher.hardenRuntime) await hasher.hardenRuntime(password, encoded);
    return { valid, needsUpgrade };
  }

  /**
   * check(), then `store` the new hash when the password was right and the stored one is outdated:
   * how a login upgrades old hashes (old hash in, preferred hash stored).
   */
  async checkAndUpgrade(password: string | null | undefined, encoded: string | null | undefined,
    store: (newEncoded: string) => Promise<void> | void): Promise<boolean> {
    const { valid, needsUpgrade } = await this.check(password, encoded);
    if (valid && needsUpgrade && typeof password === 'string') await store(await this.make(password));
    return valid;
  }

  /** Costs as much as a real check; run it when the user does not exist, so timing does not tell who has an account. */
  async dummyCheck(password: string): Promise<void> {
    await this.preferred.encode(password);
  }
}

/** Whether a stored hash can ever match (an unusable password starts with "!"). */
export function isPasswordUsable(encoded: string | null | undefined): encoded is string {
  return typeof encoded === 'string' && encoded.length > 0 && !encoded.startsWith(UNUSABLE_PASSWORD_PREFIX);
}

/** Django 5's default order, minus the argon2/bcrypt hashers that need native modules. */
export function defaultPasswordHashers(): PasswordHasher[] {
  return [new PBKDF2PasswordHasher(), new PBKDF2SHA1PasswordHasher(), new ScryptPasswordHasher()];
}
