// Where uploaded files go: a Storage interface and the local-directory backend (MEDIA_ROOT / MEDIA_URL by default).
// Names are cleaned and confined to the storage root; existing files are never overwritten.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { SuspiciousFileOperation } from '../errors.js';

/** Where uploaded files are kept, and how browsers fetch them. */
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

/** Files in a folder (`location`), served under `baseUrl` (default /media/); names are cleaned and never leave the folder. */
export class FileSystemStorage implements Storage {
  readonly location: string;
  readonly baseUrl: string;

  constructor(options: { location: string; baseUrl?: string }) {
    this.location = resolve(options.location);
    this.baseUrl = (options.baseUrl ?? '/media/').replace(/\/?$/, '/');
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

  /** Keeps the folder part (e.g. "avatars/"), cleans each segment. */
  cleanName(name: string): string {
    const segments = name.split(/[\\/]/).filter((s) => s !== '' && s !== '.');
    if (segments.length === 0 || segments.includes('..') || isAbsolute(name) || name.includes('\0')) {
      throw new SuspiciousFileOperation(`The file name '${name}' would leave the storage folder. Use a relative name without '..'.`);
    }
    return segments.map(validFileName).join('/');
  }

  async save(name: string, content: Buffer | Uint8Array): Promise<string> {
    const clean = this.cleanName(name);
    for (let attempt = 0; attempt < 20; attempt++) {
      const candidate = attempt === 0 ? clean : withSuffix(clean, randomBytes(4).toString('hex'));
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
      return candidate;
    }
    throw new SuspiciousFileOperation(`Could not find a free name for '${name}' after 20 attempts.`);
  }

  async open(name: string): Promise<Buffer> {
    return readFile(this.path(name));
  }

  async delete(name: string): Promise<void> {
    await rm(this.path(name), { force: true });
  }

  async exists(name: string): Promise<boolean> {
    return stat(this.path(name)).then(() => true, () => false);
  }

  async size(name: string): Promise<number> {
    return (await stat(this.path(name))).size;
  }

  url(name: string): string {
    this.path(name);
    return this.baseUrl + name.split(sep).join('/').split('/').map(encodeURIComponent).join('/');
  }
}

function withSuffix(name: string, suffix: string): string {
  const slash = name.lastIndexOf('/');
  const dot = name.lastIndexOf('.');
  return dot > slash + 1 ? `${name.slice(0, dot)}_${suffix}${name.slice(dot)}` : `${name}_${suffix}`;
}

