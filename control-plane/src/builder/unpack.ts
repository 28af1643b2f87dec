// Unpacks an uploaded site tarball (gzip) into an empty work directory, refusing everything that
// could write outside it or exhaust the host: absolute paths, `..`, links that point out or
// that a later entry could write through, devices and fifos, too many files, too many bytes and
// gzip bombs (a suspicious ratio of unpacked to packed bytes). Writes are synchronous, with
// O_EXCL|O_NOFOLLOW, so nothing ever follows a link planted earlier in the same archive.
import { closeSync, constants, copyFileSync, lstatSync, mkdirSync, openSync, readdirSync, realpathSync, symlinkSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, posix, relative, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar';
import { errors, PaddockError } from '../errors.js';

export interface UnpackLimits {
  maxFiles: number;
  /** Unpacked bytes in all. */
  maxBytes: number;
  /** Unpacked / packed bytes, checked once past `ratioGraceBytes`. */
  maxRatio: number;
  ratioGraceBytes: number;
  maxPathLength: number;
}

export const defaultUnpackLimits: UnpackLimits = {
  maxFiles: 20_000,
  maxBytes: 256 * 1024 * 1024,
  maxRatio: 50,
  ratioGraceBytes: 4 * 1024 * 1024,
  maxPathLength: 1024,
};

export interface UnpackResult {
  files: number;
  bytes: number;
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/** The entry's path, normalised and checked: relative, no `..`, no NUL, not too long. */
function safeRelative(raw: string, limits: UnpackLimits): string {
  if (raw.includes('\0')) throw errors.tarballRejected(`an entry's name contains a NUL byte`);
  if (raw.length > limits.maxPathLength) throw errors.tarballRejected(`the path "${raw.slice(0, 80)}…" is longer than ${limits.maxPathLength} characters`);
  if (raw.startsWith('/') || isAbsolute(raw) || /^[a-zA-Z]:/.test(raw)) throw errors.tarballRejected(`"${raw}" is an absolute path`);
  const parts = raw.split(/[\\/]+/);
  if (parts.includes('..')) throw errors.tarballRejected(`"${raw}" climbs out with ".."`);
  return posix.normalize(parts.filter((p) => p !== '' && p !== '.').join('/'));
}

/** Refuses to go through anything but real directories on the way to `target`. */
function assertRealParents(root: string, target: string): void {
  const rel = relative(root, dirname(target));
  if (!rel) return;
  let at = root;
  for (const part of rel.split(sep)) {
    at = join(at, part);
    let st;
    try {
      st = lstatSync(at);
    } catch {
      return; // does not exist yet: mkdir creates a real directory
    }
    if (!st.isDirectory()) throw errors.tarballRejected(`"${relative(root, target)}" would be written through a link or file "${relative(root, at)}"`);
  }
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Every symlink must resolve, through the kernel, to something inside the root. The textual check
 * at extraction time cannot see that `l1 -> l0/..` climbs once `l0 -> .` is a link, so the whole
 * tree is checked once the archive is down. `realpathSync.native` because the JS implementation
 * normalises `..` textually and gets exactly these chains wrong.
 */
function assertLinksInside(root: string): void {
  const realRoot = realpathSync.native(root);
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = lstatSync(p);
      if (st.isDirectory()) visit(p);
      else if (st.isSymbolicLink()) {
        let real: string;
        try {
          real = realpathSync.native(p);
        } catch {
          throw errors.tarballRejected(`the link "${relative(root, p)}" points at nothing inside the site (dangling or looping)`);
        }
        if (!inside(realRoot, real)) throw errors.tarballRejected(`the link "${relative(root, p)}" points outside the site`);
      }
    }
  };
  visit(root);
}

/** Streams a .tar.gz into `dest` (which must exist and be empty). Rejects with PDK_TARBALL_REJECTED. */
export async function unpackTarball(source: Readable, dest: string, limits: UnpackLimits = defaultUnpackLimits): Promise<UnpackResult> {
  const root = resolve(dest);
  let packed = 0;
  let unpacked = 0;
  let files = 0;
  let failure: PaddockError | undefined;

  const countPacked = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      packed += chunk.length;
      cb(null, chunk);
    },
  });
  const countUnpacked = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      unpacked += chunk.length;
      if (unpacked > limits.maxBytes + 1024 * 1024) return cb(errors.tarballRejected(`it unpacks to more than ${limits.maxBytes} bytes`));
      if (unpacked > limits.ratioGraceBytes && unpacked > packed * limits.maxRatio) {
        return cb(errors.tarballRejected(`it expands more than ${limits.maxRatio}× (a compression bomb?)`));
      }
      cb(null, chunk);
    },
  });

  let contentBytes = 0;
  const handle = (entry: tar.ReadEntry): void => {
    if (failure) return void entry.resume();
    try {
      const type = entry.type;
      const rel = safeRelative(entry.path, limits);
      if (rel === '.' || rel === '') return void entry.resume(); // the archive's own root
      const target = join(root, normalize(rel));
      if (!inside(root, target)) throw errors.tarballRejected(`"${entry.path}" resolves outside the site`);
      if (++files > limits.maxFiles) throw errors.tarballRejected(`it holds more than ${limits.maxFiles} entries`);
      assertRealParents(root, target);
      if (type === 'Directory') {
        mkdirSync(target, { recursive: true, mode: 0o755 });
        return void entry.resume();
      }
      mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
      if (FILE_TYPES.has(type)) {
        contentBytes += entry.size;
        if (contentBytes > limits.maxBytes) throw errors.tarballRejected(`it unpacks to more than ${limits.maxBytes} bytes`);
        const mode = (entry.mode ?? 0o644) & 0o111 ? 0o755 : 0o644;
        const fd = openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
        entry.on('data', (chunk: Buffer) => { writeSync(fd, chunk); });
        entry.on('end', () => closeSync(fd));
        return;
      }
      if (type === 'SymbolicLink') {
        const link = entry.linkpath ?? '';
        if (isAbsolute(link) || !inside(root, resolve(dirname(target), link))) {
          throw errors.tarballRejected(`the link "${rel}" points outside the site (to "${link}")`);
        }
        symlinkSync(link, target);
        return void entry.resume();
      }
      if (type === 'Link') {
        const from = join(root, normalize(safeRelative(entry.linkpath ?? '', limits)));
        if (!inside(root, from)) throw errors.tarballRejected(`the hard link "${rel}" points outside the site`);
        assertRealParents(root, from); // a symlinked parent could lead anywhere on the host
        const st = lstatSync(from, { throwIfNoEntry: false });
        if (!st?.isFile()) throw errors.tarballRejected(`the hard link "${rel}" does not point at a file of the site`);
        copyFileSync(from, target, constants.COPYFILE_EXCL);
        return void entry.resume();
      }
      throw errors.tarballRejected(`"${rel}" is a ${type === 'FIFO' ? 'fifo' : type === 'CharacterDevice' || type === 'BlockDevice' ? 'device file' : `"${type}" entry`}; only files, directories and links inside the site are allowed`);
    } catch (err) {
      failure = err instanceof PaddockError ? err : errors.tarballRejected((err as Error).message);
      entry.resume();
      source.destroy(failure); // stop reading: nothing after a hostile entry is worth unpacking
    }
  };

  const parser = new tar.Parser({ strict: true, onReadEntry: handle, maxMetaEntrySize: 64 * 1024 });
  try {
    await pipeline(source, countPacked, createGunzip(), countUnpacked, parser as unknown as NodeJS.WritableStream);
  } catch (err) {
    if (failure) throw failure;
    if (err instanceof PaddockError) throw err;
    throw errors.tarballRejected(`it is not a readable .tar.gz (${(err as Error).message})`);
  }
  if (failure) throw failure;
  if (files === 0) throw errors.tarballRejected('it is empty');
  assertLinksInside(root);
  return { files, bytes: contentBytes };
}
