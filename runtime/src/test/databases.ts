// The test databases of a `paddock test` run. The runner makes one migrated template per database of the site, once:
// for an embedded database (pglite:), a snapshot of an in-memory PGlite with every migration applied; for Postgres,
// a database `test_<name>` on the same server (its role needs CREATEDB, as Django's test runner does). Each test file
// (a process of its own) then starts from a copy: PGlite loads the snapshot into memory, Postgres clones the template
// with CREATE DATABASE ... TEMPLATE. The site's own databases, the dev database included, are never touched.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { closeDatabases, configureDatabases, snapshotDatabase, type DatabaseConfig } from '../db/connections.js';
import { migrate } from '../db/migrations/commands.js';
import { DatabaseConfigError } from '../errors.js';
import { siteRelativeDatabases } from '../host/database.js';
import type { Site } from '../site/site.js';

/** What the runner hands each test process (as JSON in PADDOCK_TEST_DATABASES), by alias. */
export type TestDatabaseSpec =
  | { kind: 'pglite'; template: string }
  | { kind: 'postgres'; template: string; admin: string };

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/** Runs statements on the server of `url` (connected to its own database: the role may reach no other). */
async function onServer(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    for (const s of statements) await client.query(s);
  } catch (err) {
    const e = err as { code?: string; message: string };
    if (e.code === '42501') {
      throw new DatabaseConfigError(`The database role of ${url.replace(/\/\/[^@/]*@/, '//***@')} may not create databases (CREATEDB), which `
        + 'the test run needs for its test database. Grant it CREATEDB, or run the tests on the embedded database (unset DATABASE_URL).');
    }
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Names of the copies of `template` on its server (none when the role may not list databases). */
async function leftCopies(admin: string, template: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: admin });
  try {
    await client.connect();
    const { rows } = await client.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${template.replace(/[\\_%]/g, '\\$&')}\\_%`]);
    return rows.map((r) => r.datname).filter((n) => /_\d+$/.test(n));
  } catch {
    return [];
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface TestDatabases {
  readonly specs: Record<string, TestDatabaseSpec>;
  /** Drops the templates (and any copy a crashed test process left) and deletes the snapshots. */
  destroy(): Promise<void>;
}

/** Creates and migrates the templates of the site's databases; `log` tells what it does. */
export async function createTestDatabases(site: Site, log: (line: string) => void): Promise<TestDatabases> {
  const dbs = siteRelativeDatabases(site.settings.DATABASES, site.dir);
  const scratch = mkdtempSync(join(tmpdir(), 'paddock-test-db-'));
  const configs: Record<string, DatabaseConfig> = {};
  const specs: Record<string, TestDatabaseSpec> = {};
  const postgres: Array<{ admin: string; name: string }> = [];
  const cleanup = async () => {
    await closeDatabases();
    for (const p of postgres) {
      // Copies a test process could not drop (it was killed) go with their template.
      const left = await leftCopies(p.admin, p.name);
      await onServer(p.admin, [...left, p.name].map((n) => `drop database if exists ${quote(n)} with (force)`)).catch(() => undefined);
    }
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    for (const [alias, cfg] of Object.entries(dbs)) {
      if (cfg.url.startsWith('pglite:')) {
        configs[alias] = { url: 'pglite:memory' };
        specs[alias] = { kind: 'pglite', template: join(scratch, `${alias}.tar`) };
      } else {
        const name = `test_${databaseName(cfg.url)}`.slice(0, 50);
        log(`Creating test database for alias '${alias}' (${name})...`);
        await onServer(cfg.url, [`drop database if exists ${quote(name)} with (force)`, `create database ${quote(name)}`]);
        postgres.push({ admin: cfg.url, name });
        configs[alias] = { url: withDatabase(cfg.url, name) };
        specs[alias] = { kind: 'postgres', template: withDatabase(cfg.url, name), admin: cfg.url };
      }
    }
    if (!Object.keys(configs).length) return { specs, destroy: cleanup };
    await configureDatabases(configs);
    const apps = site.apps.map((a) => ({ label: a.label, dir: a.dir }));
    for (const alias of Object.keys(configs)) await migrate({ apps, database: alias });
    for (const [alias, spec] of Object.entries(specs)) {
      if (spec.kind === 'pglite') writeFileSync(spec.template, await snapshotDatabase(alias));
    }
    await closeDatabases();
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    specs,
    destroy: cleanup,
  };
}

/**
 * In a test process: opens a fresh copy of each template (PGlite: the snapshot in memory; Postgres: a clone named
 * after the template and this process). Returns what closes and drops them.
 */
export async function openTestDatabases(specs: Record<string, TestDatabaseSpec>): Promise<() => Promise<void>> {
  const configs: Record<string, DatabaseConfig> = {};
  const clones: Array<{ admin: string; name: string }> = [];
  for (const [alias, spec] of Object.entries(specs)) {
    if (spec.kind === 'pglite') {
      configs[alias] = { url: 'pglite:memory', template: spec.template };
    } else {
      const template = databaseName(spec.template);
      const name = `${template}_${process.pid}`;
      await onServer(spec.admin, [`drop database if exists ${quote(name)} with (force)`, `create database ${quote(name)} template ${quote(template)}`]);
      clones.push({ admin: spec.admin, name });
      configs[alias] = { url: withDatabase(spec.template, name) };
    }
  }
  // A site without databases has none to open.
  if (!Object.keys(configs).length) return async () => undefined;
  await configureDatabases(configs);
  return async () => {
    await closeDatabases();
    for (const c of clones) await onServer(c.admin, [`drop database if exists ${quote(c.name)} with (force)`]).catch(() => undefined);
  };
}
