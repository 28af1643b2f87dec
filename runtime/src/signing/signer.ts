// Signed values (Django's signing): an HMAC of the value under the site's SECRET_KEY, a salt per purpose, optional
// timestamps with a max age, and fallback keys so that rotating SECRET_KEY does not log everyone out at once.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { BadSignature, ImproperlyConfigured, SignatureExpired } from '../errors.js';

export type SigningAlgorithm = 'sha256' | 'sha512' | 'sha1';

export interface SignerOptions {
  /** The current key, usually the site's SECRET_KEY. New signatures always use it. */
  key: string;
  /** Former keys still accepted when reading (SECRET_KEY_FALLBACKS); drop them once their signatures have aged out. */
  fallbackKeys?: readonly string[];
  /** Namespaces the signature: a value signed for one purpose does not verify for another. */
  salt?: string;
  /** Separator between value and signature; must not be a URL-safe base64 character. */
  sep?: string;
  algorithm?: SigningAlgorithm;
}

export interface TimestampSignerOptions extends SignerOptions {
  /** Milliseconds since the epoch; tests inject a clock. */
  now?: () => number;
}

const SEP_UNSAFE = /^[A-Za-z0-9\-_=]*$/;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Django's salted_hmac: the HMAC key is derived from the purpose (keySalt) and the secret, so purposes never share a key. */
export function saltedHmac(keySalt: string, value: string, secret: string, algorithm: SigningAlgorithm = 'sha256'): Buffer {
  const key = createHash(algorithm).update(keySalt + secret).digest();
  return createHmac(algorithm, key).update(value).digest();
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  // Comparing against itself keeps the time independent of where a length mismatch would have stopped us.
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

export function b62Encode(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`b62Encode takes a non-negative integer, not ${n}.`);
  if (n === 0) return '0';
  let out = '';
  while (n > 0) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export function b62Decode(s: string): number {
  if (s.length === 0 || s.length > 9) throw new BadSignature('The timestamp in the signed value is malformed.');
  let n = 0;
  for (const ch of s) {
    const d = BASE62.indexOf(ch);
    if (d < 0) throw new BadSignature('The timestamp in the signed value is malformed.');
    n = n * 62 + d;
  }
  return n;
}

export class Signer {
  readonly salt: string;
  readonly sep: string;
  readonly algorithm: SigningAlgorithm;
  readonly #key: string;
  readonly #fallbackKeys: readonly string[];

  constructor(options: SignerOptions) {
    if (!options.key) throw new ImproperlyConfigured('A Signer needs a key. Pass the site\'s SECRET_KEY (settings.SECRET_KEY).');
    this.sep = options.sep ?? ':';
    if (SEP_UNSAFE.test(this.sep)) {
      throw new ImproperlyConfigured(`The signing separator '${this.sep}' may appear in a signature (A-z, 0-9, - _ =). Use ':' or another character.`);
    }
    this.salt = options.salt ?? `paddock.signing.${new.target.name}`;
    this.algorithm = options.algorithm ?? 'sha256';
    this.#key = options.key;
    this.#fallbackKeys = options.fallbackKeys ?? [];
  }

  signature(value: string, key: string = this.#key): string {
    return saltedHmac(`${this.salt}signer`, value, key, this.algorithm).toString('base64url');
  }

  sign(value: string): string {
    return `${value}${this.sep}${this.signature(value)}`;
  }

  unsign(signedValue: string): string {
    const at = signedValue.lastIndexOf(this.sep);
    if (at < 0) throw new BadSignature(`No '${this.sep}' found in the signed value: it was not signed, or was cut short.`);
    const value = signedValue.slice(0, at);
    const sig = signedValue.slice(at + this.sep.length);
    for (const key of [this.#key, ...this.#fallbackKeys]) {
      if (constantTimeEqual(sig, this.signature(value, key))) return value;
    }
    throw new BadSignature();
  }

  /** JSON, optionally deflated, URL-safe base64 and signed: safe to put in URLs and cookies (readable, not secret). */
  signObject(obj: unknown, options: { compress?: boolean } = {}): string {
    return this.sign(encodeObject(obj, options.compress ?? false));
  }

  unsignObject<T = unknown>(signedObj: string): T {
    return decodeObject<T>(this.unsign(signedObj));
  }
}

export class TimestampSigner extends Signer {
  readonly #now: () => number;

  constructor(options: TimestampSignerOptions) {
    super(options);
    this.#now = options.now ?? Date.now;
  }

  timestamp(): string {
    return b62Encode(Math.floor(this.#now() / 1000));
  }

  override sign(value: string): string {
    return super.sign(`${value}${this.sep}${this.timestamp()}`);
  }

  /** Checks the signature, then the age when maxAgeSeconds is given; a signature from the future counts as age 0. */
  override unsign(signedValue: string, maxAgeSeconds?: number): string {
    const { value } = this.unsignWithTimestamp(signedValue, maxAgeSeconds);
    return value;
  }

  unsignWithTimestamp(signedValue: string, maxAgeSeconds?: number): { value: string; signedAt: Date } {
    const inner = super.unsign(signedValue);
    const at = inner.lastIndexOf(this.sep);
    if (at < 0) throw new BadSignature('The signed value has no timestamp. Was it signed with a plain Signer?');
    const signedAtSeconds = b62Decode(inner.slice(at + this.sep.length));
    if (maxAgeSeconds !== undefined) {
      const age = this.#now() / 1000 - signedAtSeconds;
      if (age > maxAgeSeconds) throw new SignatureExpired(age, maxAgeSeconds);
    }
    return { value: inner.slice(0, at), signedAt: new Date(signedAtSeconds * 1000) };
  }

  override unsignObject<T = unknown>(signedObj: string, maxAgeSeconds?: number): T {
    return decodeObject<T>(this.unsign(signedObj, maxAgeSeconds));
  }
}

function encodeObject(obj: unknown, compress: boolean): string {
  let data = Buffer.from(JSON.stringify(obj) ?? 'null');
  let prefix = '';
  if (compress) {
    const deflated = deflateSync(data);
    // Only worth it when it actually saves space; the '.' marks a compressed payload.
    if (deflated.length < data.length - 1) {
      data = deflated;
      prefix = '.';
    }
  }
  return prefix + data.toString('base64url');
}

function decodeObject<T>(payload: string): T {
  // Only reached after the signature verified, so the payload is ours; inflate is still bounded against surprises.
  const compressed = payload.startsWith('.');
  let data = Buffer.from(compressed ? payload.slice(1) : payload, 'base64url');
  if (compressed) data = inflateSync(data, { maxOutputLength: 1 << 20 });
  return JSON.parse(data.toString('utf8')) as T;
}
