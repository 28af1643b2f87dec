// Backups at rest: a dump is sealed as it streams, in records of up to 64 KiB, each with AES-256-GCM
// under a key derived (HKDF) from the master key, a random salt and the backup's id. A record's
// associated data is its index and whether it is the last, so records cannot be reordered, dropped,
// moved into another backup, or cut off at the end without the reader noticing; and a reader
// releases only records it has authenticated (a download never streams forged bytes).
//
// Layout: MAGIC, salt (16 bytes), then records: final flag (1 byte), plaintext length (u32 BE),
// ciphertext, tag (16 bytes). The last record (possibly empty) has the flag set.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

const MAGIC = Buffer.from('PDKBAK1\n');
const SALT = 16;
const TAG = 16;
const HEAD = 5;
const RECORD = 64 * 1024;

export class BackupCipherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupCipherError';
  }
}

function keyFor(masterKeyBase64: string, salt: Buffer, backupId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(masterKeyBase64, 'base64'), salt, `paddock:site-backup:${backupId}`, 32));
}

function nonce(index: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(Math.floor(index / 2 ** 32), 4);
  iv.writeUInt32BE(index % 2 ** 32, 8);
  return iv;
}

const aad = (index: number, final: boolean) => Buffer.from(`${index}:${final ? 1 : 0}`);

/** Seals what flows through it for the backup `backupId`. */
export function encryptBackup(masterKeyBase64: string, backupId: string): Transform {
  const salt = randomBytes(SALT);
  const key = keyFor(masterKeyBase64, salt, backupId);
  let index = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const seal = (plain: Buffer, final: boolean): Buffer => {
    const cipher = createCipheriv('aes-256-gcm', key, nonce(index));
    cipher.setAAD(aad(index, final));
    const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
    const head = Buffer.alloc(HEAD);
    head.writeUInt8(final ? 1 : 0, 0);
    head.writeUInt32BE(plain.length, 1);
    index++;
    return Buffer.concat([head, ct, cipher.getAuthTag()]);
  };
  let started = false;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (!started) { this.push(Buffer.concat([MAGIC, salt])); started = true; }
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= RECORD) {
        let all = Buffer.concat(pending);
        while (all.length >= RECORD) {
          this.push(seal(all.subarray(0, RECORD), false));
          all = all.subarray(RECORD);
        }
        pending = [all];
        pendingBytes = all.length;
      }
      cb();
    },
    flush(cb: TransformCallback) {
      if (!started) this.push(Buffer.concat([MAGIC, salt]));
      this.push(seal(Buffer.concat(pending), true));
      cb();
    },
  });
}

/** Opens a sealed backup as it flows; fails (BackupCipherError) on any tampering or truncation. */
export function decryptBackup(masterKeyBase64: string, backupId: string): Transform {
  let buf: Buffer = Buffer.alloc(0);
  let key: Buffer | undefined;
  let index = 0;
  let done = false;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      try {
        if (!key) {
          if (buf.length < MAGIC.length + SALT) return cb();
          if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupCipherError('not a Paddock backup (bad header)');
          key = keyFor(masterKeyBase64, buf.subarray(MAGIC.length, MAGIC.length + SALT), backupId);
          buf = buf.subarray(MAGIC.length + SALT);
        }
        while (buf.length >= HEAD) {
          if (done) throw new BackupCipherError('data after the last record');
          const final = buf.readUInt8(0) === 1;
          const len = buf.readUInt32BE(1);
          if (len > RECORD) throw new BackupCipherError('record too long');
          if (buf.length < HEAD + len + TAG) break;
          const decipher = createDecipheriv('aes-256-gcm', key, nonce(index));
          decipher.setAAD(aad(index, final));
          decipher.setAuthTag(buf.subarray(HEAD + len, HEAD + len + TAG));
          let plain: Buffer;
          try {
            plain = Buffer.concat([decipher.update(buf.subarray(HEAD, HEAD + len)), decipher.final()]);
          } catch {
            throw new BackupCipherError(`record ${index} does not authenticate (tampered with, or sealed with another key)`);
          }
          buf = buf.subarray(HEAD + len + TAG);
          index++;
          done = final;
          if (plain.length) this.push(plain);
        }
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    flush(cb: TransformCallback) {
      if (!done) cb(new BackupCipherError('the backup ends before its last record (truncated)'));
      else cb(buf.length ? new BackupCipherError('data after the last record') : undefined);
    },
  });
}
