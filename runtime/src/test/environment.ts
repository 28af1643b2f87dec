// What each test process of `paddock test` runs around a test file: boots the site (DEBUG off, 'testserver' allowed,
// mail kept in an outbox), opens its copy of the test databases in one transaction, and gives every test a savepoint
// rolled back at its end, an empty outbox and empty local-memory caches. Also the helpers tests call to change that
// world for a while: fixtures, settings overrides, onCommit callbacks.
import { existsSync, readFileSync } from 'node:fs';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { after, afterEach, before, beforeEach } from 'node:test';
import { LocMemCache } from '../cache/locmem.js';
import { cachesFor } from '../cache/registry.js';
import {
  beginTestSavepoint, beginTestTransactions, endTestSavepoint, pendingOnCommit, rollbackTestTransactions,
} from '../db/test-transactions.js';
import { ImproperlyConfigured } from '../errors.js';
import { loadSite } from '../host/load.js';
import { logger } from '../log.js';
import { MemoryBackend } from '../mail/backends.js';
import { replaceMailBackend } from '../mail/index.js';
import type { EmailMessage } from '../mail/message.js';
import type { Settings } from '../settings.js';
import type { Site } from '../site/site.js';
import { openTestDatabases, type TestDatabaseSpec } from './databases.js';

/** A SECRET_KEY for sites that set none (tests never run with production secrets). */
const TEST_SECRET_KEY = 'paddock-test-secret-key-not-for-production-0123456789abcdef';

let site: Site | null = null;
let closeDatabases: (() => Promise<void>) | null = null;
let outbox: MemoryBackend | null = null;

/** The site under test (booted by `paddock test` before the file's first test). */
export function testSite(): Site {
  if (!site) {
    throw new ImproperlyConfigured('No site is under test in this process. Run the tests with `paddock test` (or `paddock-runtime test`), '
      + 'which boots the site and its test database before them; @paddock/runtime/test helpers are used inside tests and hooks.');
  }
  return site;
}

/**
 * The mail the site sent during the current test (Django's mail.outbox): every message any backend of the site's
 * (mailBackend(), sendMail()) was given, emptied before each test.
 */
export const mail = {
  get outbox(): EmailMessage[] {
    if (!outbox) testSite();
    return (outbox as MemoryBackend).outbox;
  },
};

/** Boots the site and its test databases for this test file (the runner's setup does it in a root before hook). */
export async function startTestFile(siteDir: string, specs: Record<string, TestDatabaseSpec>): Promise<void> {
  if (process.env.LOG_LEVEL === undefined) logger.level = 'error';
  // Django's rule: tests run with DEBUG off, as production does, whatever site.ts and the environment say.
  site = await loadSite(siteDir, { env: { ...process.env, DEBUG: 'false' }, checkOnly: true });
  const settings = site.settings as Settings;
  if (!settings.SECRET_KEY) settings.SECRET_KEY = TEST_SECRET_KEY;
  if (!settings.ALLOWED_HOSTS.includes('testserver')) settings.ALLOWED_HOSTS = [...settings.ALLOWED_HOSTS, 'testserver'];
  outbox = new MemoryBackend({ defaultFrom: settings.DEFAULT_FROM_EMAIL });
  replaceMailBackend(outbox);
  closeDatabases = await openTestDatabases(specs);
  await beginTestTransactions();
}

export async function startTest(): Promise<void> {
  await beginTestSavepoint();
  if (outbox) outbox.outbox.length = 0;
}

export async function endTest(): Promise<void> {
  await endTestSavepoint();
  // A cached page or session from one test must not answer the next one (shared caches, Redis, are left alone).
  if (site) {
    const caches = cachesFor(site.settings);
    for (const alias of new Set(['default', ...Object.keys(site.settings.CACHES)])) {
      const cache = caches.get(alias);
      if (cache instanceof LocMemCache) await cache.clear();
    }
  }
}

export async function endTestFile(): Promise<void> {
  try {
    await rollbackTestTransactions();
  } finally {
    await closeDatabases?.();
    closeDatabases = null;
    replaceMailBackend(null);
  }
}

/**
 * Boots the site and its databases, then registers the hooks of the test file: what the runner's --import module does
 * in each test process, before the file is loaded (so the file's own top-level hooks find everything ready).
 */
export async function prepareTestFile(siteDir: string, specs: Record<string, TestDatabaseSpec>): Promise<void> {
  await startTestFile(siteDir, specs);
  beforeEach(startTest);
  afterEach(endTest);
  after(endTestFile);
}

// ---------------------------------------------------------------- fixtures

/** The file a fixture name stands for: a path (from the site's folder), or a file in an app's fixtures/ folder. */
function findFixture(s: Site, name: string): string {
  const names = extname(name) ? [name] : [`${name}.json`, `${name}.xml`];
  const candidates = names.flatMap((n) => (isAbsolute(n) || n.includes('/')
    ? [resolve(s.dir, n)]
    : [...s.apps.map((a) => join(a.dir, 'fixtures', n)), join(s.dir, 'fixtures', n)]));
  const found = candidates.find((f) => existsSync(f));
  if (!found) {
    throw new ImproperlyConfigured(`No fixture '${name}'. Looked for: ${candidates.map((c) => c.startsWith(s.dir) ? c.slice(s.dir.length + 1) : c).join(', ')}.`);
  }
  return found;
}

/** Loads fixture files into the test database now (loaddata's format: what `paddock-runtime dumpdata` writes). */
export async function loadFixtures(...names: string[]): Promise<number> {
  const s = testSite();
  const { loadData } = await import('../serializers/index.js');
  let count = 0;
  for (const name of names) {
    const file = findFixture(s, name);
    count += await loadData(extname(file) === '.xml' ? 'xml' : 'json', readFileSync(file, 'utf8'));
  }
  return count;
}

/**
 * Loads fixtures for the tests of the file (called at its top level) or of the `describe` it is called in: before
 * the first of them, and gone after the last (Django's TestCase.fixtures). A name is a file of an app's fixtures/
 * folder (`posts.json`, or `posts` for posts.json or posts.xml), or a path from the site's folder.
 */
export function useFixtures(...names: string[]): void {
  before(async () => {
    await beginTestSavepoint();
    await loadFixtures(...names);
  });
  after(() => endTestSavepoint());
}

// ---------------------------------------------------------------- settings

type SettingsChanges = Partial<Settings>;

function applySettings(changes: SettingsChanges): () => void {
  const settings = testSite().settings as unknown as Record<string, unknown>;
  const saved = Object.entries(changes).map(([k]) => [k, k in settings, settings[k]] as const);
  Object.assign(settings, changes);
  return () => {
    for (const [k, had, value] of saved.reverse()) {
      if (had) settings[k] = value;
      else delete settings[k];
    }
  };
}

/**
 * Runs `fn` with some settings changed, then puts them back (Django's override_settings). Settings read per request
 * take effect (DEBUG, ALLOWED_HOSTS, the CSRF and cookie settings, EMAIL_URL...); those the site reads once at boot
 * (MIDDLEWARE, TEMPLATES, DATABASES) do not.
 */
export async function overrideSettings<T>(changes: SettingsChanges, fn: () => Promise<T> | T): Promise<T> {
  const restore = applySettings(changes);
  try {
    return await fn();
  } finally {
    restore();
  }
}

/** overrideSettings for every test of the file (at its top level) or of the `describe` it is called in. */
export function useSettings(changes: SettingsChanges): void {
  let restore: (() => void) | null = null;
  before(() => { restore = applySettings(changes); });
  after(() => { restore?.(); restore = null; });
}

// ---------------------------------------------------------------- onCommit

/**
 * Nothing commits during a test, so onCommit() callbacks wait forever (Django's TestCase). This runs `fn`, returns the
 * callbacks it registered on `using` (default 'default') and, with `execute: true`, runs them as a commit would.
 */
export async function captureOnCommitCallbacks(fn: () => Promise<unknown> | unknown, options: { execute?: boolean; using?: string } = {}): Promise<Array<() => unknown>> {
  const pending = pendingOnCommit(options.using);
  const start = pending.length;
  await fn();
  const captured = pending.slice(start);
  if (options.execute) for (const cb of captured) await cb();
  return captured;
}
