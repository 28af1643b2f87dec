// The runtime image: the base image plus @paddock/runtime's built dist/ and its production
// node_modules, laid out at /node_modules so a site in /app resolves `@paddock/runtime` the way
// Node always does. Tagged by a hash of everything copied in: rebuilt only when the runtime changes.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';
import { followProgress, imageExists, type DockerEngine } from '../engine/docker-engine.js';
import { ensureBaseImage } from './base-image.js';
import { BUNDLER_HASH, bundleRuntime } from './runtime-bundle.js';
import { productionDependencies, type InstalledPackage } from './production-dependencies.js';

// runtime/2: dist/ is bundled (runtime-bundle.ts).
const RECIPE = 'runtime/2';
export const RUNTIME_REPOSITORY = 'paddock/runtime';
/** Where a site's slug is unpacked in its release image. */
export const SITE_DIR = '/app';
const RUNTIME_IN_IMAGE = '/node_modules/@paddock/runtime';
/**
 * What of the runtime package goes into the image: what it would publish (its `files`, which
 * may hold data files the code reads at run time), without the starters.
 */
function runtimeParts(runtimeDir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(runtimeDir, 'package.json'), 'utf8')) as { files?: string[] };
  const listed = (manifest.files ?? ['dist', 'bin']).filter((f) => f !== 'starters' && !f.includes('*') && !f.includes('..'));
  return ['package.json', ...listed.filter((f) => f !== 'package.json')];
}

export interface RuntimeImage {
  ref: string;
  baseRef: string;
  nodePath: string;
  /** The command that serves the site in /app (the image's default CMD). */
  serveCommand: string[];
  /** Runs a runtime subcommand (e.g. `migrate`) against /app. */
  command(...args: string[]): string[];
  built: boolean;
}

export function runtimePackageDir(): string {
  return dirname(fileURLToPath(import.meta.resolve('@paddock/runtime/package.json')));
}

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) filesUnder(p, out);
    else out.push(p);
  }
  return out;
}

function runtimeBin(runtimeDir: string): string {
  const manifest = JSON.parse(readFileSync(join(runtimeDir, 'package.json'), 'utf8')) as { bin?: Record<string, string> | string };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.['paddock-runtime'];
  if (!bin) throw new Error('@paddock/runtime declares no `paddock-runtime` bin; the runtime image cannot serve sites without it.');
  return `${RUNTIME_IN_IMAGE}/${bin.replace(/^\.\//, '')}`;
}

/** argv (after node) that runs a runtime subcommand against the site in /app, as the image lays it out. */
export function runtimeCommand(...args: string[]): string[] {
  return [runtimeBin(runtimePackageDir()), ...args];
}

function contentHash(baseRef: string, runtimeDir: string, deps: InstalledPackage[]): string {
  const h = createHash('sha256').update(RECIPE).update(BUNDLER_HASH).update(baseRef);
  for (const part of runtimeParts(runtimeDir)) {
    const p = join(runtimeDir, part);
    if (!existsSync(p)) continue;
    for (const f of statSync(p).isDirectory() ? filesUnder(p) : [p]) {
      h.update(`\0${relative(runtimeDir, f)}\0`).update(readFileSync(f));
    }
  }
  for (const d of deps) h.update(`\0${d.target}@${d.version}`);
  return h.digest('hex').slice(0, 16);
}

export async function ensureRuntimeImage(docker: DockerEngine, runtimeDir = runtimePackageDir()): Promise<RuntimeImage> {
  if (!existsSync(join(runtimeDir, 'dist'))) {
    throw new Error(`@paddock/runtime is not built (${join(runtimeDir, 'dist')} is missing); run \`npm run build -w runtime\`.`);
  }
  const base = await ensureBaseImage(docker);
  const deps = productionDependencies(runtimeDir, [
    [join(runtimeDir, 'node_modules'), `${RUNTIME_IN_IMAGE}/node_modules`],
    [join(runtimeDir, '..', 'node_modules'), '/node_modules'],
  ]);
  const hash = contentHash(base.ref, runtimeDir, deps);
  const ref = `${RUNTIME_REPOSITORY}:${hash}`;
  const bin = runtimeBin(runtimeDir);
  const image: Omit<RuntimeImage, 'built'> = {
    ref,
    baseRef: base.ref,
    nodePath: base.nodePath,
    serveCommand: [bin, 'serve', '--site-dir', SITE_DIR],
    command: (...args) => [bin, ...args],
  };
  if (await imageExists(docker, ref)) return { ...image, built: false };

  const stage = mkdtempSync(join(tmpdir(), 'paddock-runtime-image-'));
  try {
    const rootfs = join(stage, 'rootfs');
    const skipNested = (from: string) => (src: string) => !relative(from, src).split(sep).includes('node_modules');
    for (const part of runtimeParts(runtimeDir)) {
      const p = join(runtimeDir, part);
      if (part === 'dist') continue;
      if (existsSync(p)) cpSync(p, join(rootfs, RUNTIME_IN_IMAGE, part), { recursive: true, dereference: true });
    }
    // A site boots on every wake from stopped: the bundle saves Node most of its module loading.
    await bundleRuntime(join(runtimeDir, 'dist'), join(rootfs, RUNTIME_IN_IMAGE, 'dist'), `${RUNTIME_IN_IMAGE}/dist`);
    for (const d of deps) {
      mkdirSync(join(rootfs, d.target), { recursive: true });
      cpSync(d.dir, join(rootfs, d.target), { recursive: true, dereference: true, filter: skipNested(d.dir) });
    }
    writeFileSync(join(stage, 'Dockerfile'), [
      `FROM ${base.ref}`,
      'COPY rootfs/ /',
      `WORKDIR ${SITE_DIR}`,
      `CMD ${JSON.stringify(image.serveCommand)}`,
      `LABEL paddock.image=runtime paddock.runtime.hash=${hash}`,
      '',
    ].join('\n'));
    const context = tar.c({ cwd: stage, portable: true }, ['Dockerfile', 'rootfs']);
    const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, { t: ref, rm: true, forcerm: true });
    await followProgress(docker, stream);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  await pruneRuntimeImages(docker, ref);
  return { ...image, built: true };
}

/**
 * Removes runtime images of earlier runtime builds once they are an hour old and nothing is
 * built on them (the engine refuses to remove an image a release image or container uses).
 */
async function pruneRuntimeImages(docker: DockerEngine, keep: string): Promise<void> {
  const hourAgo = Date.now() / 1000 - 3600;
  const images = await docker.listImages({ filters: { reference: [RUNTIME_REPOSITORY] } });
  for (const img of images) {
    if ((img.RepoTags ?? []).includes(keep) || img.Created > hourAgo) continue;
    await docker.getImage(img.Id).remove().catch(() => undefined);
  }
}
