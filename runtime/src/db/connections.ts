// The configured databases (pg Pool or in-process PGlite, each behind Kysely), the read/write router, and query observers.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { CompiledQuery, Kysely, PostgresDialect, type QueryResult, type RawBuilder } from 'kysely';
import pg from 'pg';
import { logger } from '../log.js';
import { DatabaseConfigError, IntegrityError } from '../errors.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { AnyInstance, AnyModelClass } from './model.js';

// model.ts' STATE, by its global name (this module cannot import model.ts at run time): which database an instance is from.
const STATE_SYMBOL = Symbol.for('paddock.state');
const dbOf = (obj: AnyInstance): string | undefined => (obj as unknown as Record<symbol, { db?: string } | undefined>)[STATE_SYMBOL]?.db;

export interface DatabaseConfig {
  /** `postgres://user:pass@host/db`, `pglite:memory` (or `pglite:`) or `pglite:<dir>`. */
  url: string;
  /** Pool size for postgres URLs (default 10). */
  max?: number;
  /**
   * Reuse server-side prepared statements for the ORM's SELECTs (default true): the server parses and plans each
   * query shape once per connection. Turn off behind a transaction-mode pooler (PgBouncer) that cannot keep them.
   */
  prepare?: boolean;
  /**
   * `pglite:<dir>` only: serve the folder to the other processes that open it while this one has it open (what
   * `paddock dev` does), instead of keeping it to itself. See ./pglite-share.ts.
   */
  share?: boolean;
  /** `pglite:memory` only: start from this snapshot file (written by snapshotDatabase()) instead of an empty cluster. */
  template?: string;
}

// Prepared statements are named after their text; a connection stops preparing new ones past this many, so a
// site generating endless distinct statements cannot grow the server's memory without bound.
const MAX_PREPARED_PER_CONNECTION = 256;
const MAX_PREPARED_TEXT = 4096;
const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `pdk_${createHash('sha1').update(text).digest('base64url')}`;
    if (statementNames.size > 4096) statementNames.clear();
    statementNames.set(text, name);
  }
  return name;
}

type QueryFn = (...args: unknown[]) => unknown;

/** Routes a client's parameterised SELECTs through named (prepared) statements. */
function autoPrepare(client: pg.PoolClient): void {
  const original = client.query.bind(client) as QueryFn;
  const prepared = new Set<string>();
  const stale = new Set<string>();
  (client as unknown as { query: QueryFn }).query = (text: unknown, values?: unknown, cb?: unknown) => {
    if (typeof text === 'string' && Array.isArray(values) && cb === undefined && text.length <= MAX_PREPARED_TEXT && text.startsWith('select ')) {
      const name = statementName(text);
      if (!stale.has(name) && (prepared.has(name) || prepared.size < MAX_PREPARED_PER_CONNECTION)) {
        prepared.add(name);
        // A migration that changes a selected column's type invalidates the prepared plan (0A000): that
        // statement runs unprepared on this connection from then on.
        return (original({ name, text, values }) as Promise<unknown>).catch((err: { code?: string }) => {
          if (err?.code !== '0A000') throw err;
          stale.add(name);
          return original(text, values);
        });
      }
    }
    return cb === undefined ? original(text, values) : original(text, values, cb);
  };
}

/** What a router is told besides the model: the instance being saved or whose relation is being followed. */
export interface RouterHints { instance?: AnyInstance | undefined }

/**
 * Decides which database serves a model (Django's database routers). Each method may answer undefined to leave the
 * decision to the next router of DATABASE_ROUTERS; when none answers, reads and writes go to 'default', a relation is
 * allowed between objects of the same database, and every migration runs.
 */
export interface DatabaseRouter {
  dbForRead?(model: AnyModelClass, hints: RouterHints): string | undefined;
  dbForWrite?(model: AnyModelClass, hints: RouterHints): string | undefined;
  /** Whether `obj1` and `obj2` may be related (a foreign key or many-to-many between them). */
  allowRelation?(obj1: AnyInstance, obj2: AnyInstance): boolean | undefined;
  /** Whether the migrations of `appLabel` run on the database `alias`. */
  allowMigrate?(alias: string, appLabel: string): boolean | undefined;
}

/** Sends reads to replicas (round robin) and writes to the primary; inside a transaction reads stay on its connection. */
export function primaryReplicaRouter(opts: { primary?: string; replicas: string[] }): DatabaseRouter {
  const primary = opts.primary ?? 'default';
  const pool = new Set([primary, ...opts.replicas]);
  let next = 0;
  return {
    dbForRead: () => (opts.replicas.length ? opts.replicas[next++ % opts.replicas.length] : primary),
    dbForWrite: () => primary,
    // The primary and its replicas hold the same data.
    allowRelation: (a, b) => (pool.has(dbOf(a) ?? primary) && pool.has(dbOf(b) ?? primary) ? true : undefined),
    allowMigrate: (alias) => alias === primary,
  };
}

/** Several routers as one: each question goes to them in order, the first answer counts. */
export function chainRouters(routers: readonly DatabaseRouter[]): DatabaseRouter {
  if (routers.length === 1) return routers[0] as DatabaseRouter;
  const first = <K extends keyof DatabaseRouter>(k: K, call: (fn: NonNullable<DatabaseRouter[K]>, r: DatabaseRouter) => unknown) => {
    for (const r of routers) {
      const fn = r[k];
      if (!fn) continue;
      const answer = call(fn as NonNullable<DatabaseRouter[K]>, r);
      if (answer !== undefined) return answer;
    }
    return undefined;
  };
  return {
    dbForRead: (m, h) => first('dbForRead', (fn, r) => fn.call(r, m, h)) as string | undefined,
    dbForWrite: (m, h) => first('dbForWrite', (fn, r) => fn.call(r, m, h)) as string | undefined,
    allowRelation: (a, b) => first('allowRelation', (fn, r) => fn.call(r, a, b)) as boolean | undefined,
    allowMigrate: (alias, app) => first('allowMigrate', (fn, r) => fn.call(r, alias, app)) as boolean | undefined,
  };
}

export type Db = Kysely<Record<string, never>>;

export interface Database {
  readonly alias: string;
  readonly kind: 'pg' | 'pglite';
  readonly kysely: Db;
  /** The PGlite dialect of a 'pglite' database (for snapshots). */
  readonly pglite?: PGliteDialect;
}

// Both drivers hand these back as the text Postgres sent, so fields convert one way whatever the driver:
// int8 and numeric keep their precision, date/time stay calendar values with no time zone shift.
const RAW_TEXT_TYPES = [20, 1700, 1082, 1083, 1186];
const rawText = (v: string): string => v;

let databases = new Map<string, Database>();
let router: DatabaseRouter = {};

function open(alias: string, config: DatabaseConfig): Database {
  const url = config.url;
  if (typeof url !== 'string' || url === '') throw new DatabaseConfigError(`DATABASES.${alias} needs a url (postgres://... or pglite:memory).`);
  if (url.startsWith('pglite:')) {
    const rest = url.slice('pglite:'.length).replace(/^\/\//, '');
    const dataDir = rest === '' || rest === 'memory' ? undefined : rest;
    const parsers = Object.fromEntries(RAW_TEXT_TYPES.map((oid) => [oid, rawText]));
    const dialect = new PGliteDialect({ dataDir, parsers, share: config.share ?? false, ...(config.template ? { templateCache: config.template } : {}) });
    return { alias, kind: 'pglite', kysely: new Kysely({ dialect }), pglite: dialect };
  }
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new DatabaseConfigError(`DATABASES.${alias}.url must start with postgres:// or pglite: (got "${url.split(':')[0]}:").`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: config.max ?? 10,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        RAW_TEXT_TYPES.includes(oid) ? rawText : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server drops (restart, failover, admin terminate) must not take the site down:
  // the pool discards it and the next query opens a new one.
  pool.on('error', (err: Error & { code?: string }) => {
    logger.warn({ alias, code: err.code, error: err.message }, 'database connection lost while idle; it will be replaced');
  });
  if (config.prepare !== false) pool.on('connect', autoPrepare);
  return { alias, kind: 'pg', kysely: new Kysely({ dialect: new PostgresDialect({ pool }) }) };
}

/**
 * Opens the site's databases (lazily: nothing connects before the first query). Calling it again
 * closes the previous set first. `default` is required.
 */
export async function configureDatabases(dbs: Record<string, DatabaseConfig>, opts: { router?: DatabaseRouter; routers?: readonly DatabaseRouter[] } = {}): Promise<void> {
  if (!dbs.default) throw new DatabaseConfigError('DATABASES needs a "default" entry, e.g. { default: { url: "pglite:memory" } }.');
  await closeDatabases();
  const next = new Map<string, Database>();
  for (const [alias, config] of Object.entries(dbs)) next.set(alias, open(alias, config));
  databases = next;
  const list = [...(opts.routers ?? []), ...(opts.router ? [opts.router] : [])];
  router = list.length ? chainRouters(list) : {};
}

export async function closeDatabases(): Promise<void> {
  const old = [...databases.values()];
  databases = new Map();
  router = {};
  await Promise.all(old.map((d) => d.kysely.destroy()));
}

export function getDatabase(alias = 'default'): Database {
  const db = databases.get(alias);
  if (!db) {
    if (databases.size === 0) throw new DatabaseConfigError('No database is configured: call configureDatabases({ default: { url } }) or set DATABASES in the site settings.');
    throw new DatabaseConfigError(`No database "${alias}" is configured; known: ${[...databases.keys()].join(', ')}.`);
  }
  return db;
}

export function databaseAliases(): string[] { return [...databases.keys()]; }

/** A PGlite database's whole cluster as a tarball, for DatabaseConfig.template (the test runner's migrated copy). */
export async function snapshotDatabase(alias = 'default'): Promise<Uint8Array> {
  const db = getDatabase(alias);
  if (!db.pglite) throw new DatabaseConfigError(`Database "${alias}" is not an embedded (pglite:) database; only those have snapshots.`);
  await db.kysely.executeQuery(CompiledQuery.raw('checkpoint'));
  return db.pglite.dump();
}

export function routeRead(model: AnyModelClass, hints: RouterHints = {}): string { return checkAlias(router.dbForRead?.(model, hints), 'dbForRead'); }
export function routeWrite(model: AnyModelClass, hints: RouterHints = {}): string { return checkAlias(router.dbForWrite?.(model, hints), 'dbForWrite'); }
export function allowMigrate(alias: string, app: string): boolean { return router.allowMigrate?.(alias, app) ?? true; }
/** Without a router's answer, objects may be related when they live in the same database. */
export function allowRelation(a: AnyInstance, b: AnyInstance): boolean {
  const answer = router.allowRelation?.(a, b);
  if (answer !== undefined) return answer;
  const da = dbOf(a);
  const db = dbOf(b);
  return da === undefined || db === undefined || da === db;
}

function checkAlias(alias: string | undefined, what: string): string {
  if (alias === undefined) return 'default';
  if (!databases.has(alias) && databases.size > 0) throw new DatabaseConfigError(`A database router's ${what} chose "${alias}", which is not in DATABASES (${[...databases.keys()].join(', ')}).`);
  return alias;
}

// ---- the connection a statement runs on: the open transaction's, or the pool ----

export interface TxState {
  readonly alias: string;
  readonly conn: Db;
  savepoints: number;
  callbacks: Array<() => unknown>;
}
export const txStorage = new AsyncLocalStorage<ReadonlyMap<string, TxState>>();

// Transactions open for the whole process rather than for one async call chain: the test runner's, which every
// statement of a test (the test's own, the test client's requests, the app code's atomic() blocks, as savepoints)
// runs inside and which is rolled back at the test's end. See ./test-transactions.ts.
export const pinnedTransactions = new Map<string, TxState>();

export function currentTransaction(alias: string): TxState | undefined {
  return txStorage.getStore()?.get(alias) ?? (pinnedTransactions.size ? pinnedTransactions.get(alias) : undefined);
}

/** A read goes to the router's choice, except inside a transaction, which keeps reading its own writes. */
export function readAlias(model: AnyModelClass, explicit?: string, hints: RouterHints = {}): string {
  if (explicit) return explicit;
  const store = txStorage.getStore();
  if ((store && store.size > 0) || pinnedTransactions.size > 0) {
    const write = routeWrite(model, hints);
    if (store?.has(write) || pinnedTransactions.has(write)) return write;
  }
  return routeRead(model, hints);
}

// ---- observers: tests count queries; a debug toolbar could list them ----

export interface QueryEvent { alias: string; sql: string; parameters: readonly unknown[]; ms: number }
const observers = new Set<(e: QueryEvent) => void>();

export function onQuery(fn: (e: QueryEvent) => void): () => void {
  observers.add(fn);
  return () => { observers.delete(fn); };
}

/** Runs fn and returns the statements it sent (every alias), in order. */
export async function captureQueries<T>(fn: () => Promise<T>): Promise<{ result: T; queries: QueryEvent[] }> {
  const queries: QueryEvent[] = [];
  const off = onQuery((e) => queries.push(e));
  try {
    return { result: await fn(), queries };
  } finally {
    off();
  }
}

/** Constraint violations (SQLSTATE class 23) become IntegrityError; anything else passes through unchanged. */
export function translateError(err: unknown): unknown {
  const e = err as { code?: unknown; constraint?: string; detail?: string; message?: string };
  if (typeof e?.code === 'string' && e.code.startsWith('23')) {
    const what = { '23505': 'a unique constraint', '23503': 'a foreign key', '23502': 'a NOT NULL column', '23514': 'a check constraint' }[e.code] ?? 'a constraint';
    return new IntegrityError(`The database refused the write: it breaks ${what}${e.constraint ? ` (${e.constraint})` : ''}. ${e.detail ?? e.message ?? ''}`.trim(), e.code, e.constraint, err);
  }
  return err;
}

/** Sends one statement on the alias's transaction connection when there is one, else through the pool. */
export async function execute<R = Record<string, unknown>>(alias: string, query: RawBuilder<unknown> | CompiledQuery): Promise<QueryResult<R>> {
  const tx = currentTransaction(alias);
  const target = tx ? tx.conn : getDatabase(alias).kysely;
  const compiled = query instanceof Object && 'compile' in query ? query.compile(target) : query as CompiledQuery;
  const started = observers.size ? performance.now() : 0;
  let result: QueryResult<R>;
  try {
    result = await target.executeQuery<R>(compiled);
  } catch (err) {
    throw translateError(err);
  }
  if (observers.size) {
    const event = { alias, sql: compiled.sql, parameters: compiled.parameters, ms: performance.now() - started };
    for (const o of observers) o(event);
  }
  return result;
}

/** Raw SQL with $1-style placeholders and values bound as parameters; returns the rows. */
export async function rawQuery<R = Record<string, unknown>>(text: string, params: readonly unknown[] = [], opts: { using?: string } = {}): Promise<R[]> {
  return (await execute<R>(opts.using ?? 'default', CompiledQuery.raw(text, [...params]))).rows;
}
