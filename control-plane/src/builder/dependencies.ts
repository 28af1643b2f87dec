// What a site may install: packages from the npm registry, nothing else. Read as data from the
// upload's package.json and lockfile before npm runs: every dependency spec must be a version,
// range or tag (or an `npm:` alias to one), every locked package must come from the registry. git
// (which npm would run), GitHub/GitLab/Bitbucket shorthands, URLs, files, links and workspaces are
// refused, naming the dependency.
import { errors } from '../errors.js';

/** The registry npm uses unless the platform is configured with another (lockfiles name it). */
export const NPM_REGISTRY = 'https://registry.npmjs.org/';

const NAME = /^(@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/i;
/** A version, a range (`^1.2.0`, `>=1 <3 || 4.x`, `1.0.0 - 2.0.0`, `*`) or a dist-tag (`latest`). */
const RANGE_OR_TAG = /^[\w.*^~<>=|+\s-]*$/;
/** Versions a lockfile records for a registry package. */
const LOCKED_VERSION = /^\d+\.\d+\.\d+[\w.+-]*$/;

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

/** Why a spec is not from the registry, or undefined when it is. */
export function nonRegistryReason(spec: string): string | undefined {
  if (spec.startsWith('npm:')) {
    const target = spec.slice(4);
    const at = target.lastIndexOf('@');
    const name = at > 0 ? target.slice(0, at) : target;
    const range = at > 0 ? target.slice(at + 1) : '';
    if (!NAME.test(name)) return `its alias target "${target}" is not a registry package`;
    return nonRegistryReason(range);
  }
  if (RANGE_OR_TAG.test(spec)) return undefined;
  if (/^(git|git\+[a-z]+):|\.git(#.*)?$/i.test(spec)) return 'it is a git repository';
  if (/^(github|gitlab|bitbucket|gist):/i.test(spec)) return 'it is a repository shorthand';
  if (/^https?:/i.test(spec)) return 'it is a URL';
  if (/^(file|link|workspace|portal|patch):/i.test(spec) || /^[./~]/.test(spec)) return 'it is a local path';
  if (/^[^@/\s]+\/[^/\s]+$/.test(spec)) return 'it is a GitHub shorthand (user/repo)';
  return 'it is not a version, range or tag';
}

function refuse(name: string, spec: string, where: string, why: string): never {
  throw errors.dependencySource(name, spec, where, why);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** npm's `overrides`: nested objects of specs (a `$name` reference takes the spec of a direct dependency). */
function checkOverrides(value: unknown, path: string): void {
  if (!isRecord(value)) return;
  for (const [key, v] of Object.entries(value)) {
    const at = key === '.' ? path : `${path} > ${key}`;
    if (typeof v === 'string') {
      if (v.startsWith('$')) continue;
      const why = nonRegistryReason(v);
      if (why) refuse(at.replace(/^overrides > /, ''), v, 'package.json "overrides"', why);
    } else checkOverrides(v, at);
  }
}

/**
 * Checks every dependency package.json declares; throws PDK_DEPENDENCY_SOURCE on the first that is
 * not from the registry. `provided` names packages the platform provides (never installed).
 */
export function checkPackageDependencies(pkg: Record<string, unknown>, provided: (name: string) => boolean = () => false): void {
  if ('workspaces' in pkg) throw errors.siteInvalid('package.json declares "workspaces"; a site is one package: move the code into the site and remove "workspaces"');
  for (const field of DEPENDENCY_FIELDS) {
    const deps = pkg[field];
    if (deps === undefined) continue;
    if (!isRecord(deps)) throw errors.siteInvalid(`package.json "${field}" is not an object of package names and versions`);
    for (const [name, spec] of Object.entries(deps)) {
      if (provided(name)) continue;
      if (typeof spec !== 'string') refuse(name, String(spec), `package.json "${field}"`, 'it is not a string');
      if (!NAME.test(name)) refuse(name, spec, `package.json "${field}"`, 'its name is not a package name');
      const why = nonRegistryReason(spec);
      if (why) refuse(name, spec, `package.json "${field}"`, why);
    }
  }
  checkOverrides(pkg.overrides, 'overrides');
}

/** The package a lockfile key names (`node_modules/a/node_modules/@s/b` → `@s/b`), or undefined for a folder. */
function lockedName(key: string): string | undefined {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(key);
  if (!m || !/^(node_modules\/(@[^/]+\/)?[^/]+\/)+$/.test(`${key}/`)) return undefined;
  return key.split('/').every((part) => part !== '..' && part !== '.') && NAME.test(m[1]!) ? m[1] : undefined;
}

function checkResolved(name: string, entry: Record<string, unknown>, where: string, registries: string[]): void {
  const resolved = entry.resolved;
  const version = entry.version;
  if (entry.link === true) refuse(name, String(resolved ?? ''), where, 'it is a link to a folder');
  if (typeof resolved === 'string' && !registries.some((r) => resolved.startsWith(r))) {
    const why = nonRegistryReason(resolved) ?? 'it is not from the npm registry';
    refuse(name, resolved, where, /^https?:/i.test(resolved) ? `it is downloaded from ${new URL(resolved).host}, not the npm registry` : why);
  }
  if (typeof version === 'string' && !LOCKED_VERSION.test(version)) {
    refuse(name, version, where, nonRegistryReason(version) ?? 'it is not a registry version');
  }
}

/** lockfileVersion 1: a tree of `dependencies`. */
function checkV1(deps: unknown, where: string, registries: string[], provided: (name: string) => boolean): void {
  if (!isRecord(deps)) return;
  for (const [name, entry] of Object.entries(deps)) {
    if (!isRecord(entry) || provided(name)) continue;
    checkResolved(name, entry, where, registries);
    checkV1(entry.dependencies, where, registries, provided);
  }
}

/**
 * Checks a lockfile (package-lock.json or npm-shrinkwrap.json, parsed): every package it locks
 * must come from the registry. `registry` is the one the build installs from.
 */
export function checkLockfile(lock: unknown, file: string, registry: string, provided: (name: string) => boolean = () => false): void {
  if (!isRecord(lock)) throw errors.siteInvalid(`${file} is not a JSON object`);
  const where = file;
  const registries = [...new Set([registry.endsWith('/') ? registry : `${registry}/`, NPM_REGISTRY])];
  const packages = lock.packages;
  if (isRecord(packages)) {
    for (const [key, entry] of Object.entries(packages)) {
      if (!isRecord(entry)) continue;
      if (key === '') {
        checkPackageDependencies(entry, provided);
        continue;
      }
      // The platform's own packages (and a local link to the runtime) are never installed.
      if ([...key.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].some((m) => provided(m[1]!))) continue;
      if (typeof entry.name === 'string' && provided(entry.name)) continue;
      const name = lockedName(key);
      if (!name) refuse(key, String(entry.resolved ?? entry.version ?? ''), where, 'it is a folder of the project (a workspace or a link), not a registry package');
      checkResolved(name, entry, where, registries);
    }
  }
  checkV1(lock.dependencies, where, registries, provided);
}
