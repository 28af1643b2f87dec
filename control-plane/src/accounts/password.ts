// Password hashing with scrypt (node:crypto). The stored string carries its parameters —
// `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` — so raising PADDOCK_PASSWORD_COST takes effect for
// new hashes at once and for old ones at their owner's next login (needsRehash).
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  const maxmem = 128 * (options.N ?? 1) * (options.r ?? BLOCK_SIZE) + 32 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, cost: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N: 2 ** cost, r: BLOCK_SIZE, p: PARALLELISM });
  return ['scrypt', cost, BLOCK_SIZE, PARALLELISM, salt.toString('base64url'), key.toString('base64url')].join('$');
}

function parse(stored: string) {
  const [algo, cost, r, p, salt, key] = stored.split('$');
  if (algo !== 'scrypt' || !cost || !r || !p || !salt || !key) return undefined;
  return { cost: Number(cost), r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url') };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parse(stored);
  if (!h) return false;
  const key = await derive(password, h.salt, { N: 2 ** h.cost, r: h.r, p: h.p });
  return key.length === h.key.length && timingSafeEqual(key, h.key);
}

export function needsRehash(stored: string, cost: number): boolean {
  const h = parse(stored);
  return !h || h.cost !== cost || h.r !== BLOCK_SIZE || h.p !== PARALLELISM;
}

/** A hash of a random password: login against an unknown email costs as much as a real one. */
let decoy: Promise<string> | undefined;
export function decoyHash(cost: number): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'), cost);
  return decoy;
}
