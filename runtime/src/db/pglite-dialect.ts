// A Kysely 0.28 dialect for in-process PGlite (`pglite:memory`, `pglite:<dir>`), so a site runs with no Postgres server.
// PGlite is one session: connections are handed out one at a time (a mutex), which also keeps transactions whole.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler,
  type DatabaseConnection, type DatabaseIntrospector, type Dialect, type DialectAdapter, type Driver,
  type Kysely, type QueryCompiler, type QueryResult, type TransactionSettings,
} from 'kysely';

export interface PGliteDialectConfig {
  /** Directory for a persistent database; undefined keeps it in memory. */
  dataDir?: string | undefined;
  /** Type parsers by Postgres type OID (same shape as pg's). */
  parsers?: Record<number, (value: string) => unknown>;
  /**
   * Where a freshly initialised in-memory cluster is cached (initdb in WebAssembly takes seconds; loading the
   * snapshot a fraction of that). Default: the OS temp dir; false turns the cache off.
   */
  templateCache?: string | false;
}

function templatePath(config: PGliteDialectConfig): string | null {
  if (config.templateCache === false || process.env.PADDOCK_PGLITE_TEMPLATE === '0') return null;
  if (typeof config.templateCache === 'string') return config.templateCache;
  try {
    const main = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    const st = statSync(main);
    const key = createHash('sha256').update(`${main}:${st.size}:${st.mtimeMs}`).digest('hex').slice(0, 16);
    return join(tmpdir(), `paddock-pglite-template-${key}.tar`);
  } catch {
    return null;
  }
}

export class PGliteDialect implements Dialect {
  readonly #config: PGliteDialectConfig;
  constructor(config: PGliteDialectConfig = {}) { this.#config = config; }
  createAdapter(): DialectAdapter { return new PostgresAdapter(); }
  createDriver(): Driver { return new PGliteDriver(this.#config); }
  createQueryCompiler(): QueryCompiler { return new PostgresQueryCompiler(); }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's own signature
  createIntrospector(db: Kysely<any>): DatabaseIntrospector { return new PostgresIntrospector(db); }
}

class PGliteDriver implements Driver {
  readonly #config: PGliteDialectConfig;
  #pg: PGlite | null = null;
  #connection: PGliteConnection | null = null;
  #queue: Promise<void> = Promise.resolve();
  #release: (() => void) | null = null;

  constructor(config: PGliteDialectConfig) { this.#config = config; }

  async init(): Promise<void> {
    const { PGlite } = await import('@electric-sql/pglite');
    const parsers = this.#config.parsers ?? {};
    const dataDir = this.#config.dataDir;
    // A new directory starts from the same snapshot as a memory database; an existing one opens as it is.
    const fresh = dataDir === undefined || !existsSync(join(dataDir, 'PG_VERSION'));
    if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
    const template = fresh ? templatePath(this.#config) : null;
    let snapshot: Buffer | null = null;
    if (template) {
      try { snapshot = readFileSync(template); } catch { snapshot = null; }
    }
    if (snapshot) {
      this.#pg = await PGlite.create(dataDir, { loadDataDir: new Blob([new Uint8Array(snapshot)]), parsers });
    } else {
      this.#pg = await PGlite.create(dataDir, { parsers });
      if (template) {
        // Written before any statement runs, so the snapshot is an empty cluster; rename makes it appear whole.
        const dump = Buffer.from(await (await this.#pg.dumpDataDir('none')).arrayBuffer());
        const part = `${template}.${process.pid}.part`;
        try {
          writeFileSync(part, dump);
          renameSync(part, template);
        } catch { /* a cache that cannot be written only costs time */ }
      }
    }
    this.#connection = new PGliteConnection(this.#pg);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#queue;
    let release!: () => void;
    this.#queue = new Promise<void>((r) => { release = r; });
    await previous;
    this.#release = release;
    if (!this.#connection) throw new Error('The PGlite database is closed.');
    return this.#connection;
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let text = 'begin';
    if (settings.isolationLevel) text += ` isolation level ${settings.isolationLevel}`;
    if (settings.accessMode) text += ` ${settings.accessMode}`;
    await conn.executeQuery(CompiledQuery.raw(text));
  }
  async commitTransaction(conn: DatabaseConnection): Promise<void> { await conn.executeQuery(CompiledQuery.raw('commit')); }
  async rollbackTransaction(conn: DatabaseConnection): Promise<void> { await conn.executeQuery(CompiledQuery.raw('rollback')); }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = null;
    release?.();
  }

  async destroy(): Promise<void> {
    const pg = this.#pg;
    this.#pg = null;
    this.#connection = null;
    if (pg && !pg.closed) await pg.close();
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly #pg: PGlite;
  constructor(pg: PGlite) { this.#pg = pg; }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#pg.query<R>(query.sql, [...query.parameters]);
    const command = /^\s*(\w+)/.exec(query.sql)?.[1]?.toLowerCase();
    const affected = command === 'insert' || command === 'update' || command === 'delete' || command === 'merge';
    return {
      rows: result.rows,
      ...(affected ? { numAffectedRows: BigInt(result.affectedRows ?? 0) } : {}),
    };
  }

  // eslint-disable-next-line require-yield -- PGlite has no cursors over its wire; streaming is refused outright
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite does not support streaming queries; iterate a QuerySet in chunks instead.');
  }
}
