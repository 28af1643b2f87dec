// Where uploaded files go: the Storage interface, the local-directory backend (MEDIA_ROOT / MEDIA_URL by default), and
// the site's default storage chosen from its settings (MEDIA_STORAGE: 'filesystem' or 's3'). Names are cleaned and
// confined to the storage root; existing files are never overwritten (a taken name gets a random suffix).
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ImproperlyConfigured, StorageQuotaExceeded, SuspiciousFileOperation } from '../errors.js';
import type { Settings } from '../settings.js';
import { S3Storage } from './s3.js';

export interface Storage {
  /** Stores `content` under a name derived from `name` (cleaned, made unique); returns the name actually used. */
  save(name: string, content: Buffer | Uint8Array): Promise<string>;
  open(name: string): Promise<Buffer>;
  delete(name: string): Promise<void>;
  exists(name: string): Promise<boolean>;
  size(name: string): Promise<number>;
  /** Where a browser fetches it. */
  url(name: string): string;
}

/** Django's get_valid_filename: spaces to underscores, only letters, digits, '-', '_' and '.'. */
export function validFileName(name: string): string {
  const cleaned = name.trim().replace(/\s+/g, '_').replace(/[^-\p{L}\p{N}_.]/gu, '');
  if (cleaned === '' || cleaned === '.' || cleaned === '..' || /^\.+$/.test(cleaned)) {
    throw new SuspiciousFileOperation(`Could not derive a valid file name from '${name}'. Give the file a name with letters or digits.`);
  }
  return cleaned;
}

/** Keeps the folder part (e.g. "avatars/"), cleans each segment; refuses absolute names and '..'. */
export function cleanStorageName(name: string): string {
  const segments = name.split(/[\\/]/).filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.includes('..') || isAbsolute(name) || name.includes('\0')) {
    throw new SuspiciousFileOperation(`The file name '${name}' would leave the storage folder. Use a relative name without '..'.`);
  }
  return segments.map(validFileName).join('/');
}

/** "photos/cat.png" → "photos/cat_1a2b3c4d.png": the alternative tried when a name is taken. */
export function withSuffix(name: string, suffix = randomBytes(4).toString('hex')): string {
  const slash = name.lastIndexOf('/');
  const dot = name.lastIndexOf('.');
  return dot > slash + 1 ? `${name.slice(0, dot)}_${suffix}${name.slice(dot)}` : `${name}_${suffix}`;
}

/** Percent-encodes each segment of a stored name for a URL. */
export function urlPath(name: string): string {
  return name.split(sep).join('/').split('/').map(encodeURIComponent).join('/');
}

export interface FileSystemStorageOptions {
  location: string;
  baseUrl?: string;
  /**
   * Most bytes the folder may hold (0 or undefined: no limit). A save that would go past it is refused with
   * StorageQuotaExceeded. The folder's size is measured on disk (every process sharing it sees the others' files)
   * at most every `measureEveryMs`, plus what this process saved since and is saving now.
   */
  maxBytes?: number;
  measureEveryMs?: number;
}

export class FileSystemStorage implements Storage {
  readonly location: string;
  readonly baseUrl: string;
  readonly maxBytes: number;
  readonly #measureEveryMs: number;
  #measured: { bytes: number; at: number } | null = null;
  #pending = 0;

  constructor(options: FileSystemStorageOptions) {
    this.location = resolve(options.location);
    this.baseUrl = (options.baseUrl ?? '/media/').replace(/\/?$/, '/');
    this.maxBytes = options.maxBytes ?? 0;
    this.#measureEveryMs = options.measureEveryMs ?? 30_000;
  }

  /** "avatars/../../etc/passwd" and absolute names are refused, not silently rewritten. */
  path(name: string): string {
    if (!name || isAbsolute(name) || name.includes('\0') || name.split(/[\\/]/).includes('..')) {
      throw new SuspiciousFileOperation(`The file name '${name}' would leave the storage folder. Use a relative name without '..'.`);
    }
    const full = resolve(this.location, name);
    const rel = relative(this.location, full);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      throw new SuspiciousFileOperation(`The file name '${name}' would leave the storage folder.`);
    }
    return full;
  }

  cleanName(name: string): string { return cleanStorageName(name); }

  async save(name: string, content: Buffer | Uint8Array): Promise<string> {
    const clean = this.cleanName(name);
    const release = await this.#reserve(content.byteLength);
    try {
      for (let attempt = 0; attempt < 20; attempt++) {
        const candidate = attempt === 0 ? clean : withSuffix(clean);
        const full = this.path(candidate);
        await mkdir(dirname(full), { recursive: true });
        // 'wx' is O_CREAT|O_EXCL: never overwrites a file and never follows a planted symlink.
        const handle = await open(full, 'wx', 0o644).catch((e: NodeJS.ErrnoException) => {
          if (e.code === 'EEXIST') return null;
          throw e;
        });
        if (!handle) continue;
        try {
          await handle.writeFile(content);
        } finally {
          await handle.close();
        }
        if (this.#measured) this.#measured.bytes += content.byteLength;
        return candidate;
      }
      throw new SuspiciousFileOperation(`Could not find a free name for '${name}' after 20 attempts.`);
    } finally {
      release();
    }
  }

  /** Counts `bytes` as pending against the quota (refusing them if they do not fit); returns the release. */
  async #reserve(bytes: number): Promise<() => void> {
    if (!this.maxBytes) return () => {};
    const now = Date.now();
    if (!this.#measured || now - this.#measured.at > this.#measureEveryMs) this.#measured = { bytes: await this.usedBytes(), at: now };
    const used = this.#measured.bytes + this.#pending;
    if (used + bytes > this.maxBytes) throw new StorageQuotaExceeded(used, bytes, this.maxBytes);
    this.#pending += bytes;
    return () => { this.#pending -= bytes; };
  }

  /** Bytes of every file under the folder now (what `du --apparent-size` counts). */
  async usedBytes(): Promise<number> {
    let total = 0;
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return [];
        throw e;
      });
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.isFile()) total += (await stat(p)).size;
      }
    };
    await walk(this.location);
    return total;
  }

  async open(name: string): Promise<Buffer> {
    return readFile(this.path(name));
  }

  async delete(name: string): Promise<void> {
    const full = this.path(name);
    const size = await stat(full).then((s) => s.size, () => 0);
    await rm(full, { force: true });
    if (this.#measured) this.#measured.bytes = Math.max(0, this.#measured.bytes - size);
  }

  async exists(name: string): Promise<boolean> {
    return stat(this.path(name)).then(() => true, () => false);
  }

  async size(name: string): Promise<number> {
    return (await stat(this.path(name))).size;
  }

  url(name: string): string {
    this.path(name);
    return this.baseUrl + urlPath(name);
  }
}

// ---------------------------------------------------------------- the site's default storage

export type StorageFactory = (settings: Settings, siteDir: string) => Storage;

const defaults = new WeakMap<Settings, Storage>();
let siteLookup: (() => { settings: Settings; dir: string }) | null = null;

/** The site module tells where the current site is (files cannot import the site without a cycle). */
export function setStorageSite(lookup: () => { settings: Settings; dir: string }): void { siteLookup = lookup; }

/**
 * The storage file fields use unless given their own: MEDIA_STORAGE 'filesystem' (FileSystemStorage on MEDIA_ROOT,
 * served under MEDIA_URL, limited to MEDIA_QUOTA_BYTES), 's3' (S3Storage from the MEDIA_S3_* settings), or a factory.
 */
export function defaultStorage(): Storage {
  if (!siteLookup) throw new ImproperlyConfigured('No site is loaded, so there is no default file storage: pass `storage` to the field, or boot the site first.');
  const { settings, dir } = siteLookup();
  let storage = defaults.get(settings);
  if (!storage) {
    storage = storageFromSettings(settings, dir);
    defaults.set(settings, storage);
  }
  return storage;
}

export function storageFromSettings(settings: Settings, siteDir: string): Storage {
  const kind = settings.MEDIA_STORAGE;
  if (typeof kind === 'function') return kind(settings, siteDir);
  if (kind === 's3') return S3Storage.fromSettings(settings);
  if (kind !== 'filesystem') throw new ImproperlyConfigured(`MEDIA_STORAGE must be 'filesystem', 's3' or a function returning a Storage (got ${JSON.stringify(kind)}).`);
  return new FileSystemStorage({ location: resolve(siteDir, settings.MEDIA_ROOT), baseUrl: settings.MEDIA_URL, maxBytes: settings.MEDIA_QUOTA_BYTES });
}
