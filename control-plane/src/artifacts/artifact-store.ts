// Where uploads and slugs are kept. A directory by default; anything that can put, get and
// delete a stream by key (an object store) can implement the same interface.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync, statSync, existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errors } from '../errors.js';

export interface StoredArtifact {
  key: string;
  size: number;
  sha256: string;
}

export interface ArtifactStore {
  /** Streams `source` in; rejects (storing nothing) past `maxBytes` or on a checksum mismatch. */
  put(key: string, source: Readable, opts?: { maxBytes?: number; expectedSha256?: string }): Promise<StoredArtifact>;
  get(key: string): Readable;
  /** A local file path for the artifact (downloading it first for remote stores). */
  localPath(key: string): Promise<string>;
  delete(key: string): Promise<void>;
}

const KEY = /^[a-z0-9][a-z0-9._/-]{0,200}$/;

export class DirectoryArtifactStore implements ArtifactStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    mkdirSync(this.root, { recursive: true });
  }

  private path(key: string): string {
    if (!KEY.test(key) || key.includes('..')) throw new Error(`Invalid artifact key "${key}"`);
    const p = resolve(this.root, key);
    if (!p.startsWith(this.root + sep)) throw new Error(`Invalid artifact key "${key}"`);
    return p;
  }

  async put(key: string, source: Readable, opts: { maxBytes?: number; expectedSha256?: string } = {}): Promise<StoredArtifact> {
    const target = this.path(key);
    mkdirSync(dirname(target), { recursive: true });
    const tmp = `${target}.${randomBytes(4).toString('hex')}.part`;
    const hash = createHash('sha256');
    let size = 0;
    const max = opts.maxBytes ?? Number.POSITIVE_INFINITY;
    const meter = new Transform({
      transform(chunk: Buffer, _e, cb) {
        size += chunk.length;
        if (size > max) return cb(errors.tarballTooLarge(Math.round(max / 1024 / 1024)));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(tmp, { flags: 'wx' }));
      const sha256 = hash.digest('hex');
      if (opts.expectedSha256 && opts.expectedSha256.toLowerCase() !== sha256) throw errors.checksumMismatch(opts.expectedSha256, sha256);
      renameSync(tmp, target);
      return { key, size, sha256 };
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  }

  get(key: string): Readable {
    return createReadStream(this.path(key));
  }

  async localPath(key: string): Promise<string> {
    const p = this.path(key);
    if (!existsSync(p)) throw new Error(`No artifact "${key}"`);
    statSync(p);
    return p;
  }

  async delete(key: string): Promise<void> {
    rmSync(this.path(key), { force: true });
  }
}

export const artifactPath = (root: string, key: string): string => join(root, key);
