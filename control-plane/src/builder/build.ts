// Turns an uploaded site tarball into a slug: unpack safely, check it is a site, read its
// package.json, lockfile and tsconfig.json as data (dependencies from the npm registry only; the
// compiler options are the platform's, adjusted only by options that name no file), then run the
// build step in the build sandbox (sandbox.ts: a throwaway hardened container, or a limited child
// under the process driver): install the npm dependencies it declares (production only, lockfile
// respected, no install scripts), compile its TypeScript with esbuild file by file (layout kept,
// so `./views.js` imports keep working) and type-check it against the runtime's types. Then pack
// the result as a .tar.gz with a manifest. What the build prints reaches the tenant with paths
// made upload-relative; type errors in files outside the upload are counted, never quoted.
import { createHash } from 'node:crypto';
import { closeSync, constants, createReadStream, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import * as tar from 'tar';
import { siteCompilerOptions, TsconfigRefusal, typecheckMode } from '@paddock/runtime/compiler-options';
import { connectDocker } from '../engine/docker-engine.js';
import { errors } from '../errors.js';
import type { TypeDiagnostic } from './build-step.js';
import { checkLockfile, checkPackageDependencies, NPM_REGISTRY } from './dependencies.js';
import { defaultBuildLimits, type ProcessLimits } from './limited-process.js';
import { DockerBuildSandbox, type BuildSandbox } from './sandbox.js';
import { defaultUnpackLimits, unpackTarball, type UnpackLimits } from './unpack.js';

export const MANIFEST_PATH = '.paddock/manifest.json';
/** Packages the runtime image provides; a site's own copy is never installed. */
const PROVIDED = (name: string) => name === '@paddock/runtime' || name.startsWith('@paddock/');
const TS = /\.(ts|mts|tsx)$/;
const SKIP_DIRS = new Set(['node_modules', '.git', '.paddock']);
/** Lockfiles npm reads, the one it prefers first. */
const LOCKFILES = ['npm-shrinkwrap.json', 'package-lock.json'];

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
  /** How the build was confined: 'container', or the process driver's limits ('cgroup-v2', ...). */
  limits: string;
  /** Type errors found (reported as warnings when the site's package.json says "typecheck": "warn"). */
  typeErrors?: number;
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
  /** Where the build step runs; by default a container on the local Docker engine. */
  sandbox?: BuildSandbox;
  /** The npm registry dependencies come from. */
  registry?: string;
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

/** A file of the upload read as data (JSON), or undefined when there is none. */
function readJson(dir: string, name: string): unknown {
  const p = join(dir, name);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as unknown;
  } catch (err) {
    throw errors.siteInvalid(`${name} is not valid JSON (${(err as Error).message})`);
  }
}

interface SitePackage {
  dependencies?: Record<string, string>;
  type?: string;
  [key: string]: unknown;
}

/** What only the builder may put in the output: whatever the upload brought under these names goes. */
const BUILDER_OWNED = ['.paddock', 'node_modules', '.npmrc', 'yarn.lock'];

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

let defaultSandbox: BuildSandbox | undefined;

/** `blog/views.ts:12:5 - error TS2322: ...` (a message's further lines indented below it). */
export function formatDiagnostic(d: TypeDiagnostic): string {
  const at = d.file ? `${d.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''} - ` : '';
  return `${at}${d.category} ${d.code}: ${d.message}`;
}

/** Keeps the last lines the build printed, for the error that ends it. */
function tail(log: (line: string) => void): { log: (line: string) => void; last(n: number): string[] } {
  const lines: string[] = [];
  return {
    log(line) {
      lines.push(line);
      if (lines.length > 200) lines.shift();
      log(line);
    },
    last: (n) => lines.filter((l) => l.trim()).slice(-n),
  };
}

export async function buildSlug(opts: BuildOptions): Promise<BuildResult> {
  const t0 = Date.now();
  const printed = tail(opts.log ?? (() => undefined));
  const log = printed.log;
  const limits = opts.limits ?? defaultBuildLimits;
  const registry = opts.registry ?? NPM_REGISTRY;
  const source = join(opts.workDir, 'source');
  const out = join(opts.workDir, 'out');
  mkdirSync(source, { recursive: true });

  log('unpacking the upload');
  const unpacked = await unpackTarball(opts.tarball, source, opts.unpackLimits ?? defaultUnpackLimits);
  log(`unpacked ${unpacked.files} entries, ${unpacked.bytes} bytes`);
  for (const name of BUILDER_OWNED) {
    if (!lstatSync(join(source, name), { throwIfNoEntry: false })) continue;
    if (name === '.npmrc' || name === 'yarn.lock') log(`ignoring the upload's ${name}: the build installs with npm and the platform's npm configuration`);
    rmSync(join(source, name), { recursive: true, force: true });
  }

  const entrySource = ['site.ts', 'site.mts', 'site.js', 'site.mjs'].find((f) => existsSync(join(source, f)));
  if (!entrySource) throw errors.siteInvalid('there is no site.ts (the site settings module) at the top of the upload');
  const pkg = (readJson(source, 'package.json') ?? {}) as SitePackage;
  if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg)) throw errors.siteInvalid('package.json does not hold a JSON object');
  checkPackageDependencies(pkg, PROVIDED);
  const lockfile = LOCKFILES.find((f) => existsSync(join(source, f)));
  if (lockfile) checkLockfile(readJson(source, lockfile), lockfile, registry, PROVIDED);
  let mode: ReturnType<typeof typecheckMode>;
  try {
    mode = typecheckMode(pkg);
  } catch (err) {
    throw errors.siteInvalid((err as Error).message);
  }
  // The site's tsconfig.json is data: only the options that name no file are taken from it.
  let compilerOptions: ReturnType<typeof siteCompilerOptions>;
  try {
    const tsconfig = join(source, 'tsconfig.json');
    compilerOptions = siteCompilerOptions(existsSync(tsconfig) ? readFileSync(tsconfig, 'utf8') : undefined);
  } catch (err) {
    if (err instanceof TsconfigRefusal) throw errors.tsconfigOption(err.option, err.reason);
    throw errors.siteInvalid(`tsconfig.json could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); it must be a file`);
  }
  if (compilerOptions.ignored.length) {
    log(`tsconfig.json: ignoring ${compilerOptions.ignored.join(', ')} (the platform decides what is compiled, how and where to)`);
  }
  const deps = Object.fromEntries(Object.entries(pkg.dependencies ?? {}).filter(([n]) => !PROVIDED(n)));

  const files = walk(source, source);
  const tsFiles = files.filter((f) => TS.test(f) && !f.endsWith('.d.ts'));
  // A name the compiler would read as an option (`--metafile=/host/path.ts`) is no file name.
  const optionLike = tsFiles.find((f) => f.startsWith('-'));
  if (optionLike) throw errors.siteInvalid(`"${optionLike}" starts with "-"; rename it (the compiler would take it for an option)`);

  let install: { command: 'ci' | 'install'; packageJson?: string; registry: string } | undefined;
  if (Object.keys(deps).length) {
    log(`installing ${Object.keys(deps).length} npm dependencies (production only, install scripts off)`);
    const declaresProvided = Object.keys(pkg.dependencies ?? {}).some(PROVIDED);
    install = {
      command: lockfile && !declaresProvided ? 'ci' : 'install',
      registry,
      // The runtime comes from the image: npm must not look for it in the registry.
      ...(declaresProvided ? { packageJson: JSON.stringify({ ...pkg, dependencies: deps }, null, 2) } : {}),
    };
  }

  mkdirSync(out);
  const sandbox = opts.sandbox ?? (defaultSandbox ??= new DockerBuildSandbox({ docker: connectDocker() }));
  const outcome = await sandbox.run({
    site: source, out, scratch: opts.workDir, tsFiles, tsconfigRaw: compilerOptions.esbuildTsconfigRaw,
    ...(install ? { install } : {}),
    typecheck: { compilerOptions: compilerOptions.typecheck },
    limits,
    onLine: log,
  });
  const r = outcome.result;
  if (outcome.timedOut) throw errors.buildFailed(`it took longer than ${Math.round(limits.timeoutMs / 1000)} s and was stopped`);
  if (!r) {
    const why = outcome.exitCode === 137 ? ` (killed: over its ${limits.memoryMb} MB of memory?)` : '';
    throw errors.buildFailed(`the build step ended without finishing, exit code ${outcome.exitCode}${why}: ${printed.last(3).join(' / ')}`);
  }
  if (r.install && r.install.exitCode !== 0) throw errors.buildFailed(`npm could not install the dependencies: ${printed.last(3).join(' / ')}`);
  if (r.compile.exitCode !== 0) throw errors.buildFailed(`TypeScript did not compile: ${printed.last(5).join(' / ') || `exit ${r.compile.exitCode}`}`);

  const check = r.typecheck;
  const typeErrors = check?.diagnostics.filter((d) => d.category === 'error') ?? [];
  const errorCount = check?.errors ?? 0;
  if (check) {
    for (const d of check.diagnostics) for (const line of formatDiagnostic(d).split('\n')) log(line);
    if (errorCount > typeErrors.length) log(`… and ${errorCount - typeErrors.length} more errors`);
    if (check.outside) log(`${check.outside} type error${check.outside === 1 ? '' : 's'} in files outside the upload (installed packages): not shown, and not counted against the site`);
    if (errorCount && mode === 'error') {
      throw errors.typeErrors(errorCount, typeErrors.slice(0, 3).map((d) => formatDiagnostic(d).split('\n')[0]).join('; '));
    }
    if (errorCount) log(`${errorCount} type error${errorCount === 1 ? '' : 's'} reported as warnings ("paddock": { "typecheck": "warn" } in package.json)`);
    else if (tsFiles.length) log('types check');
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
    limits: outcome.enforcement,
    ...(errorCount ? { typeErrors: errorCount } : {}),
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
