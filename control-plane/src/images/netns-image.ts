// The image of a replica's network holder (the role of Kubernetes' "pause" container): this
// machine's `sleep` and the libraries ldd lists for it, FROM scratch, running `sleep infinity`.
// The holder owns the replica's network namespace on the site's bridge, so a stopped replica is
// started again without Docker building a new namespace, veth pair and address for it (about
// 0.2 s of every wake from stopped); it costs well under a megabyte while the site sleeps.
import { createHash } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import * as tar from 'tar';
import { followProgress, imageExists, type DockerEngine } from '../engine/docker-engine.js';
import { sharedLibraries, SITE_UID } from './base-image.js';

const RECIPE = 'netns/1';
export const NETNS_REPOSITORY = 'paddock/netns';

/** Makes sure the holder image exists (rebuilt when the binary or a library changes); its reference. */
export async function ensureNetnsImage(docker: DockerEngine, sleepBinary = '/usr/bin/sleep'): Promise<string> {
  const binary = realpathSync(sleepBinary);
  const files = [binary, ...(await sharedLibraries(binary))];
  const hash = createHash('sha256').update(RECIPE);
  for (const f of files) {
    const st = statSync(f);
    hash.update(`\0${f}\0${st.size}\0${st.mtimeMs}\0${st.ino}`);
  }
  const tag = hash.digest('hex').slice(0, 16);
  const ref = `${NETNS_REPOSITORY}:${tag}`;
  if (await imageExists(docker, ref)) return ref;
  const rootfs = tar.c({ cwd: '/', follow: true, portable: true, gzip: false }, files.map((f) => f.slice(1)));
  const stream = await docker.importImage(rootfs as unknown as NodeJS.ReadableStream, {
    repo: NETNS_REPOSITORY,
    tag,
    changes: [
      `USER ${SITE_UID}:${SITE_UID}`,
      `ENTRYPOINT ["${binary}"]`,
      'CMD ["infinity"]',
      'LABEL paddock.image=netns',
    ],
  });
  await followProgress(docker, stream);
  return ref;
}
