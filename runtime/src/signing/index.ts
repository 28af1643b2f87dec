// The signing battery: sign strings and JSON objects with the site's key, optionally with a timestamp and max age.
import { TimestampSigner, type TimestampSignerOptions } from './signer.js';

export { Signer, TimestampSigner, saltedHmac, constantTimeEqual, b62Encode, b62Decode } from './signer.js';
export type { SignerOptions, TimestampSignerOptions, SigningAlgorithm } from './signer.js';

export interface DumpsOptions extends TimestampSignerOptions { compress?: boolean }

/** Django's signing.dumps: a timestamped, signed, URL-safe JSON payload (password reset links, unsubscribe links). */
export function dumps(obj: unknown, options: DumpsOptions): string {
  return new TimestampSigner({ ...options, salt: options.salt ?? 'paddock.signing' }).signObject(obj, { compress: options.compress ?? false });
}

/** Reverse of dumps; throws BadSignature, or SignatureExpired when older than maxAgeSeconds. */
export function loads<T = unknown>(signed: string, options: TimestampSignerOptions & { maxAgeSeconds?: number }): T {
  return new TimestampSigner({ ...options, salt: options.salt ?? 'paddock.signing' }).unsignObject<T>(signed, options.maxAgeSeconds);
}
