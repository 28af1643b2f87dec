// A release image: the runtime image plus one slug unpacked at /app (Docker's ADD unpacks a local
// .tar.gz). Containers run read-only, so the code has to be in the image; the layer is small and
// every release keeps its image, which makes a rollback a plain restart of an older one.
import { linkSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { followProgress, imageExists, type DockerEngine } from '../engine/docker-engine.js';
import { SITE_DIR, type RuntimeImage } from './runtime-image.js';

export const SITE_REPOSITORY = 'paddock/site';

export const releaseImageRef = (site: string, release: string): string => `${SITE_REPOSITORY}-${site}:${release}`;

export async function buildReleaseImage(
  docker: DockerEngine,
  runtime: RuntimeImage,
  slugPath: string,
  { site, release, log }: { site: string; release: string; log?: (line: string) => void },
): Promise<string> {
  const ref = releaseImageRef(site, release);
  if (await imageExists(docker, ref)) return ref;
  const stage = mkdtempSync(join(tmpdir(), 'paddock-release-image-'));
  try {
    try {
      linkSync(slugPath, join(stage, 'slug.tar.gz'));
    } catch {
      copyFileSync(slugPath, join(stage, 'slug.tar.gz'));
    }
    writeFileSync(join(stage, 'Dockerfile'), [
      `FROM ${runtime.ref}`,
      `ADD slug.tar.gz ${SITE_DIR}/`,
      `LABEL paddock.image=release paddock.site=${site} paddock.release=${release}`,
      '',
    ].join('\n'));
    const context = tar.c({ cwd: stage, portable: true }, ['Dockerfile', 'slug.tar.gz']);
    const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, { t: ref, rm: true, forcerm: true });
    await followProgress(docker, stream, (l) => { if (l.stream?.trim()) log?.(l.stream.trim()); });
    return ref;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** Removes a site's release images (when the site is deleted). */
export async function removeReleaseImages(docker: DockerEngine, site: string): Promise<void> {
  const images = await docker.listImages({ filters: { reference: [`${SITE_REPOSITORY}-${site}`] } });
  for (const img of images) await docker.getImage(img.Id).remove({ force: true }).catch(() => undefined);
}
