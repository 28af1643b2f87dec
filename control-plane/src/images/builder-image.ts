// The builder image: the base image (node and its libraries, FROM scratch) plus what a build runs —
// npm, esbuild's binary, TypeScript's native compiler (tsc) with its lib files, the build step
// program (builder/build-step.ts, bundled) — and the types a site is checked against:
// @paddock/runtime's declarations and those of the packages they name, at /node_modules where a
// site in /build/site resolves them. No shell, no git. Tagged by a hash of what goes in: rebuilt
// only when one of those changes.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import * as tar from 'tar';
import { followProgress, imageExists, type DockerEngine } from '../engine/docker-engine.js';
import { ensureBaseImage } from './base-image.js';
import { productionDependencies } from './production-dependencies.js';
import { runtimePackageDir } from './runtime-image.js';

const RECIPE = 'builder/1';
export const BUILDER_REPOSITORY = 'paddock/builder';
/** Where the build's tools sit in the image. */
export const BUILDER_TOOLS = {
  step: '/opt/paddock/build-step.mjs',
  esbuild: '/opt/paddock/esbuild',
  tsc: '/opt/paddock/typescript/tsc',
  npm: '/opt/paddock/npm/bin/npm-cli.js',
  /** The type declarations a site is checked against (@paddock/runtime, @types/node, ...). */
  types: '/node_modules',
  caBundle: '/etc/ssl/certs/ca-certificates.crt',
} as const;

export interface BuilderImage {
  ref: string;
  nodePath: string;
  built: boolean;
}

const require = createRequire(import.meta.url);

/** esbuild's native binary on this machine. */
export function esbuildBinary(): string {
  if (process.env.ESBUILD_BINARY_PATH) return process.env.ESBUILD_BINARY_PATH;
  return join(dirname(require.resolve('esbuild')), '..', 'bin', 'esbuild');
}

/** TypeScript's native compiler for this platform (the folder also holds its lib.*.d.ts). */
export function tscBinary(): string {
  const name = `@typescript/typescript-${process.platform}-${process.arch}`;
  let manifest: string;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch {
    throw new Error(`TypeScript's native compiler for ${process.platform}-${process.arch} (${name}) is not installed; run \`npm install\` at the repository root.`);
  }
  return join(dirname(manifest), 'lib', 'tsc');
}

/** The npm package this machine runs (found through PATH, as `npm` itself is). */
export function npmPackageDir(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const bin = join(dir, 'npm');
    if (!existsSync(bin)) continue;
    let at = dirname(realpathSync(bin));
    for (let i = 0; i < 3; i++, at = dirname(at)) {
      const manifest = join(at, 'package.json');
      if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'npm') return at;
    }
  }
  throw new Error('npm is not on PATH; the builder image needs it to install sites\' dependencies.');
}

/** The CA certificates this machine trusts (a TLS-inspecting proxy's included), for npm's requests. */
function caBundle(): string | undefined {
  for (const p of [process.env.NODE_EXTRA_CA_CERTS, BUILDER_TOOLS.caBundle]) if (p && existsSync(p)) return p;
  return undefined;
}

const DECLARATION = /\.d\.(ts|mts|cts)$/;

function declarationFiles(dir: string, skipNested: boolean, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) {
      if (!(skipNested && name === 'node_modules')) declarationFiles(p, skipNested, out);
    } else if (DECLARATION.test(name) || name === 'package.json') out.push(p);
  }
  return out;
}

/** Every declaration file of the runtime and the packages its declarations name, with its place in the image. */
function typeFiles(runtimeDir: string): Array<[from: string, to: string]> {
  const files: Array<[string, string]> = [[join(runtimeDir, 'package.json'), `${BUILDER_TOOLS.types}/@paddock/runtime/package.json`]];
  for (const f of declarationFiles(join(runtimeDir, 'dist'), false)) {
    files.push([f, `${BUILDER_TOOLS.types}/@paddock/runtime/${relative(runtimeDir, f)}`]);
  }
  const manifest = JSON.parse(readFileSync(join(runtimeDir, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
  const typePackages = ['@types/node', ...Object.keys(manifest.devDependencies ?? {}).filter((n) => n.startsWith('@types/'))];
  const deps = productionDependencies(runtimeDir, [
    [join(runtimeDir, 'node_modules'), `${BUILDER_TOOLS.types}/@paddock/runtime/node_modules`],
    [join(runtimeDir, '..', 'node_modules'), BUILDER_TOOLS.types],
  ], typePackages);
  for (const d of deps) {
    for (const f of declarationFiles(d.dir, true)) files.push([f, `${d.target}/${relative(d.dir, f)}`]);
  }
  return files;
}

function statKey(path: string): string {
  const st = statSync(path);
  return `${path}\0${st.size}\0${st.mtimeMs}\0${st.ino}`;
}

/** Makes sure the builder image exists (building it when a tool, the runtime's types or the step changed). */
export async function ensureBuilderImage(docker: DockerEngine, stepProgram: string, runtimeDir = runtimePackageDir()): Promise<BuilderImage> {
  if (!existsSync(join(runtimeDir, 'dist'))) {
    throw new Error(`@paddock/runtime is not built (${join(runtimeDir, 'dist')} is missing); run \`npm run build -w runtime\`.`);
  }
  const base = await ensureBaseImage(docker);
  const esbuild = realpathSync(esbuildBinary());
  const tsc = realpathSync(tscBinary());
  const npm = npmPackageDir();
  const npmVersion = (JSON.parse(readFileSync(join(npm, 'package.json'), 'utf8')) as { version: string }).version;
  const ca = caBundle();
  const types = typeFiles(runtimeDir);

  const h = createHash('sha256').update(RECIPE).update(base.ref).update(stepProgram);
  h.update(statKey(esbuild)).update(statKey(tsc)).update(`\0npm@${npmVersion}\0${npm}`);
  if (ca) h.update(readFileSync(ca));
  for (const [from, to] of types) h.update(`\0${to}\0`).update(readFileSync(from));
  const tag = h.digest('hex').slice(0, 16);
  const ref = `${BUILDER_REPOSITORY}:${tag}`;
  if (await imageExists(docker, ref)) return { ref, nodePath: base.nodePath, built: false };

  const stage = mkdtempSync(join(tmpdir(), 'paddock-builder-image-'));
  try {
    const rootfs = join(stage, 'rootfs');
    const put = (from: string, to: string) => {
      mkdirSync(dirname(join(rootfs, to)), { recursive: true });
      cpSync(from, join(rootfs, to), { dereference: true, recursive: true });
    };
    mkdirSync(join(rootfs, dirname(BUILDER_TOOLS.step)), { recursive: true });
    writeFileSync(join(rootfs, BUILDER_TOOLS.step), stepProgram);
    put(esbuild, BUILDER_TOOLS.esbuild);
    put(dirname(tsc), dirname(BUILDER_TOOLS.tsc));
    put(npm, dirname(dirname(BUILDER_TOOLS.npm)));
    if (ca) put(ca, BUILDER_TOOLS.caBundle);
    for (const [from, to] of types) put(from, to);
    writeFileSync(join(stage, 'Dockerfile'), [
      `FROM ${base.ref}`,
      'COPY rootfs/ /',
      ...(ca ? [`ENV NODE_EXTRA_CA_CERTS=${BUILDER_TOOLS.caBundle}`] : []),
      'WORKDIR /build',
      `LABEL paddock.image=builder paddock.builder.hash=${tag}`,
      '',
    ].join('\n'));
    const context = tar.c({ cwd: stage, portable: true }, ['Dockerfile', 'rootfs']);
    const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, { t: ref, rm: true, forcerm: true });
    await followProgress(docker, stream);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  await pruneBuilderImages(docker, ref);
  return { ref, nodePath: base.nodePath, built: true };
}

/** Removes builder images of earlier recipes once they are an hour old (a build may still use one). */
async function pruneBuilderImages(docker: DockerEngine, keep: string): Promise<void> {
  const hourAgo = Date.now() / 1000 - 3600;
  const images = await docker.listImages({ filters: { reference: [BUILDER_REPOSITORY] } });
  for (const img of images) {
    if ((img.RepoTags ?? []).includes(keep) || img.Created > hourAgo) continue;
    await docker.getImage(img.Id).remove().catch(() => undefined);
  }
}
