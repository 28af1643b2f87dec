// Secrets at rest: AES-256-GCM under a key derived (HKDF) from PADDOCK_MASTER_KEY. Each sealed
// value is bound to a context string (e.g. "site:<id>:postgres") as associated data, so a
// ciphertext copied into another row does not open there.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

const VERSION = 'v1';

export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  /** HMAC-SHA256 under a key of its own per purpose (reset links, invitations). */
  sign(purpose: string, data: string): Buffer;
  verify(purpose: string, data: string, mac: Buffer): boolean;
}

function derive(master: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `paddock:${info}`, 32));
}

export function createSecretBox(masterKeyBase64: string): SecretBox {
  const master = Buffer.from(masterKeyBase64, 'base64');
  if (master.length !== 32) throw new Error('PADDOCK_MASTER_KEY must be 32 bytes in base64 (openssl rand -base64 32).');
  const encKey = derive(master, 'secrets-at-rest');
  const macKeys = new Map<string, Buffer>();
  const macKey = (purpose: string) => {
    let k = macKeys.get(purpose);
    if (!k) macKeys.set(purpose, (k = derive(master, `mac:${purpose}`)));
    return k;
  };
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      cipher.setAAD(Buffer.from(context));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(sealed, context) {
      const [version, iv, ct, tag] = sealed.split('.');
      if (version !== VERSION || iv === undefined || ct === undefined || tag === undefined) throw new Error('Not a sealed secret of this platform.');
      const decipher = createDecipheriv('aes-256-gcm', encKey, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    },
    sign(purpose, data) {
      return createHmac('sha256', macKey(purpose)).update(data).digest();
    },
    verify(purpose, data, mac) {
      const expected = createHmac('sha256', macKey(purpose)).update(data).digest();
      return mac.length === expected.length && timingSafeEqual(mac, expected);
    },
  };
}

/** A random secret of `bytes` bytes as base64url: passwords, site secret keys, tokens. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
