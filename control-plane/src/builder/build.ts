// Turns an uploaded site tarball into a slug: unpack safely, check it is a site, compile its
// TypeScript with esbuild (file by file, layout kept, so `./views.js` imports keep working),
// install the npm dependencies it declares (production only, lockfile respected, no install
// scripts), then pack the result as a .tar.gz with a manifest. The compiler and npm run in a
// cgroup-limited child (limited-process.ts).
import { createHash } from 'node:crypto';
import { closeSync, constants, createReadStream, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync, lstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import * as tar from 'tar';
import { errors } from '../errors.js';
import { defaultBuildLimits, runLimited, type ProcessLimits } from './limited-process.js';
import { defaultUnpackLimits, unpackTarball, type UnpackLimits } from './unpack.js';

export const MANIFEST_PATH = '.paddock/manifest.json';
/** Packages the runtime image provides; a site's own copy is never installed. */
const PROVIDED = (name: string) => name === '@paddock/runtime' || name.startsWith('@paddock/');
const TS = /\.(ts|mts|tsx)$/;
const SKIP_DIRS = new Set(['node_modules', '.git', '.paddock']);

export interface SlugManifest {
  format: 1;
  /** The site's settings module, relative to the site root, after compilation. */
  entry: string;
  files: number;
  bytes: number;
  compiled: number;
  /** Whether any app ships migrations: the release phase runs them only then. */
  migrations: boolean;
  /** Hash of every migration file: unchanged since a release that applied them, nothing to apply. */
  migrationsHash: string;
  dependencies: Record<string, string>;
  limits: string;
  builtAt: string;
}

export interface BuildResult {
  slugPath: string;
  sha256: string;
  size: number;
  manifest: SlugManifest;
  durationMs: number;
}

export interface BuildOptions {
  tarball: Readable;
  /** An empty folder the build may fill; removed by the caller. */
  workDir: string;
  slugPath: string;
  log?: (line: string) => void;
  unpackLimits?: UnpackLimits;
  limits?: ProcessLimits;
  npmCache?: string;
}

function walk(dir: string, root: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name)) continue;
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) walk(p, root, out);
    else out.push(relative(root, p));
  }
  return out;
}

interface SitePackage {
  dependencies?: Record<string, string>;
  type?: string;
}

function readPackage(dir: string): SitePackage {
  const p = join(dir, 'package.json');
  if (!existsSync(p)) return {};
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as SitePackage;
  } catch (err) {
    throw errors.siteInvalid(`package.json is not valid JSON (${(err as Error).message})`);
  }
}

/** What only the builder may put in the output: whatever the upload brought under these names goes. */
const BUILDER_OWNED = ['.paddock', 'node_modules', '.npmrc'];

/** Writes a file the builder owns, replacing whatever the upload put there without following a link. */
function writeOwnFile(path: string, data: string): void {
  rmSync(path, { force: true, recursive: true });
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    writeSync(fd, data);
  } finally {
    closeSync(fd);
  }
}

function esbuildBinary(): string {
  const main = createRequire(import.meta.url).resolve('esbuild');
  return process.env.ESBUILD_BINARY_PATH ?? join(dirname(main), '..', 'bin', 'esbuild');
}

export async function buildSlug(opts: BuildOptions): Promise<BuildResult> {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const limits = opts.limits ?? defaultBuildLimits;
  const source = join(opts.workDir, 'source');
  const out = join(opts.workDir, 'out');
  mkdirSync(source, { recursive: true });

  log('unpacking the upload');
  const unpacked = await unpackTarball(opts.tarball, source, opts.unpackLimits ?? defaultUnpackLimits);
  log(`unpacked ${unpacked.files} entries, ${unpacked.bytes} bytes`);

  const entrySource = ['site.ts', 'site.mts', 'site.js', 'site.mjs'].find((f) => existsSync(join(source, f)));
  if (!entrySource) throw errors.siteInvalid('there is no site.ts (the site settings module) at the top of the upload');
  const pkg = readPackage(source);
  const deps = Object.fromEntries(Object.entries(pkg.dependencies ?? {}).filter(([n]) => !PROVIDED(n)));
  for (const [name, spec] of Object.entries(deps)) {
    if (/^(file|link|git|git\+\w+|https?):/.test(spec) || spec.startsWith('.') || spec.startsWith('/')) {
      throw errors.siteInvalid(`dependency ${name}@${spec} is not from the npm registry`);
    }
  }

  // Everything but TypeScript is copied as is (templates, static files, JSON...).
  const files = walk(source, source);
  const tsFiles = files.filter((f) => TS.test(f) && !f.endsWith('.d.ts'));
  // A name the compiler would read as an option (`--metafile=/host/path.ts`) is no file name.
  const optionLike = tsFiles.find((f) => f.startsWith('-'));
  if (optionLike) throw errors.siteInvalid(`"${optionLike}" starts with "-"; rename it (the compiler would take it for an option)`);
  // verbatimSymlinks: otherwise cpSync rewrites relative links as absolute paths into this build folder.
  cpSync(source, out, { recursive: true, verbatimSymlinks: true, filter: (src) => !TS.test(src) || !statSync(src).isFile() });
  for (const name of BUILDER_OWNED) rmSync(join(out, name), { recursive: true, force: true });
  const enforcement = new Set<string>();
  if (tsFiles.length) {
    log(`compiling ${tsFiles.length} TypeScript files`);
    const r = await runLimited({
      cmd: esbuildBinary(),
      args: [...tsFiles.map((f) => `./${f}`), `--outdir=${out}`, `--outbase=.`, '--format=esm', '--platform=node', '--target=node20',
        '--sourcemap=inline', '--log-level=warning', '--out-extension:.js=.js'],
      cwd: source,
      // Not the worker's environment: it holds the platform's secrets.
      env: { PATH: process.env.PATH, NODE_ENV: 'production' },
      limits,
      onLine: log,
    });
    enforcement.add(r.enforcement);
    if (r.exitCode !== 0) throw errors.buildFailed(`TypeScript did not compile: ${r.output.slice(-5).join(' / ') || `exit ${r.exitCode}`}`);
  }

  if (Object.keys(deps).length) {
    log(`installing ${Object.keys(deps).length} npm dependencies (production only, install scripts off)`);
    const hasLock = existsSync(join(out, 'package-lock.json'));
    const declaresProvided = Object.keys(pkg.dependencies ?? {}).some(PROVIDED);
    if (declaresProvided) {
      // The runtime comes from the image: npm must not look for it in the registry.
      writeOwnFile(join(out, 'package.json'), JSON.stringify({ ...pkg, dependencies: deps }, null, 2));
    }
    const useCi = hasLock && !declaresProvided;
    const npmCache = opts.npmCache ?? join(opts.workDir, '.npm');
    const r = await runLimited({
      cmd: 'npm',
      args: [useCi ? 'ci' : 'install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--no-update-notifier', `--cache=${npmCache}`],
      cwd: out,
      env: { PATH: process.env.PATH, HOME: opts.workDir, NODE_ENV: 'production', npm_config_loglevel: 'warn' },
      limits,
      onLine: log,
    });
    enforcement.add(r.enforcement);
    if (r.exitCode !== 0) throw errors.buildFailed(`npm could not install the dependencies: ${r.output.slice(-3).join(' / ')}`);
  }

  const migrationFiles = files.filter((f) => /(^|\/)migrations\/[^/]+\.(m?[jt]s)$/.test(f)).sort();
  const migrationsHash = createHash('sha256');
  for (const f of migrationFiles) migrationsHash.update(`\0${f}\0`).update(readFileSync(join(source, f)));
  const manifest: SlugManifest = {
    format: 1,
    entry: entrySource.replace(TS, '.js'),
    files: unpacked.files,
    bytes: unpacked.bytes,
    compiled: tsFiles.length,
    migrations: migrationFiles.length > 0,
    migrationsHash: migrationsHash.digest('hex'),
    dependencies: deps,
    limits: [...enforcement].join(',') || 'n/a',
    builtAt: new Date().toISOString(),
  };
  rmSync(join(out, dirname(MANIFEST_PATH)), { recursive: true, force: true });
  mkdirSync(join(out, dirname(MANIFEST_PATH)));
  writeOwnFile(join(out, MANIFEST_PATH), JSON.stringify(manifest, null, 2));

  mkdirSync(dirname(opts.slugPath), { recursive: true });
  await tar.c({ gzip: { level: 6 }, cwd: out, portable: true, file: opts.slugPath }, readdirSync(out));
  const sha256 = createHash('sha256');
  for await (const chunk of createReadStream(opts.slugPath)) sha256.update(chunk as Buffer);
  const size = statSync(opts.slugPath).size;
  log(`slug ready: ${size} bytes, built in ${Date.now() - t0} ms`);
  rmSync(source, { recursive: true, force: true });
  return { slugPath: opts.slugPath, sha256: sha256.digest('hex'), size, manifest, durationMs: Date.now() - t0 };
}
