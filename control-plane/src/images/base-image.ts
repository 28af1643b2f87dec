// The base image every site runs on, made here FROM scratch: the machine's own node binary, the
// shared libraries `ldd` lists for it and the dynamic loader, nothing else (no shell, no package
// manager). No registry is needed, and the image is rebuilt only when the binary or a library changes.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import * as tar from 'tar';
import { followProgress, imageExists, type DockerEngine } from '../engine/docker-engine.js';

const run = promisify(execFile);

/** Bump when what goes into the image changes in a way the file list cannot show. */
const RECIPE = 'base/1';
export const BASE_REPOSITORY = 'paddock/base';
/** The unprivileged user every site process runs as (no passwd entry needed: numeric). */
export const SITE_UID = 10001;

export interface BaseImage {
  /** `paddock/base:<content hash>` */
  ref: string;
  /** Absolute path of node inside the image (the same as on the host). */
  nodePath: string;
  /** True when this call built it, false when the engine already had it. */
  built: boolean;
}

/** Files `ldd` says the binary needs: each library and the loader, as absolute paths. */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await run('ldd', [binary]);
  const paths = new Set<string>();
  for (const line of stdout.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (m?.[1]) paths.add(m[1]);
    else if (/not found/.test(line)) throw new Error(`ldd cannot find a library node needs: ${line.trim()}`);
  }
  return [...paths].sort();
}

async function recipe(nodeBinary: string): Promise<{ files: string[]; hash: string; nodePath: string }> {
  const nodePath = realpathSync(nodeBinary);
  const files = [nodePath, ...(await sharedLibraries(nodePath))];
  const hash = createHash('sha256').update(RECIPE);
  for (const f of files) {
    const st = statSync(f); // follows links: the content that will be packed
    hash.update(`\0${f}\0${st.size}\0${st.mtimeMs}\0${st.ino}`);
  }
  return { files, hash: hash.digest('hex').slice(0, 16), nodePath };
}

/** Makes sure the base image exists (building it when the node binary or its libraries changed). */
export async function ensureBaseImage(
  docker: DockerEngine,
  { nodeBinary = process.execPath }: { nodeBinary?: string } = {},
): Promise<BaseImage> {
  const { files, hash, nodePath } = await recipe(nodeBinary);
  const ref = `${BASE_REPOSITORY}:${hash}`;
  if (await imageExists(docker, ref)) return { ref, nodePath, built: false };

  // `follow` packs what each link points at, so a library reached through /lib -> usr/lib or a
  // versioned symlink lands in the image as a plain file at the path the loader looks for.
  const rootfs = tar.c(
    { cwd: '/', follow: true, portable: true, gzip: false },
    files.map((f) => f.slice(1)),
  );
  const stream = await docker.importImage(rootfs as unknown as NodeJS.ReadableStream, {
    repo: BASE_REPOSITORY,
    tag: hash,
    changes: [
      `USER ${SITE_UID}:${SITE_UID}`,
      'ENV HOME=/tmp NODE_ENV=production',
      'WORKDIR /tmp',
      `ENTRYPOINT ["${nodePath}"]`,
      `LABEL paddock.image=base paddock.node=${process.version}`,
    ],
  });
  await followProgress(docker, stream);
  return { ref, nodePath, built: true };
}
