// A Kysely 0.28 dialect for in-process PGlite (`pglite:memory`, `pglite:<dir>`), so a site runs with no Postgres server.
// PGlite is one session: connections are handed out one at a time (a mutex), which also keeps transactions whole.
// A folder has one owner process (./pglite-share.ts): a process that finds it owned by a sharing one (`paddock dev`)
// sends its statements there, through the same one-at-a-time connections.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler,
  type DatabaseConnection, type DatabaseIntrospector, type Dialect, type DialectAdapter, type Driver,
  type Kysely, type QueryCompiler, type QueryResult, type TransactionSettings,
} from 'kysely';
import { claimDatabase, RemoteDatabase, serveDatabase, type Claim } from './pglite-share.js';

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
  /**
   * For a folder: serve it to the other processes that open it while this one runs (the dev server). Without it,
   * this process keeps the folder to itself while it is open, and they are refused with DatabaseInUse.
   */
  share?: boolean;
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
  #driver: PGliteDriver | null = null;
  constructor(config: PGliteDialectConfig = {}) { this.#config = config; }
  createAdapter(): DialectAdapter { return new PostgresAdapter(); }
  createDriver(): Driver { return (this.#driver = new PGliteDriver(this.#config)); }
  /** The whole cluster as a tarball (PGlite's dumpDataDir), once the database has been used. */
  async dump(): Promise<Uint8Array> {
    if (!this.#driver) throw new Error('The PGlite database has not been opened yet.');
    return this.#driver.dump();
  }
  createQueryCompiler(): QueryCompiler { return new PostgresQueryCompiler(); }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's own signature
  createIntrospector(db: Kysely<any>): DatabaseIntrospector { return new PostgresIntrospector(db); }
}

class PGliteDriver implements Driver {
  readonly #config: PGliteDialectConfig;
  #pg: PGlite | null = null;
  #connection: DatabaseConnection | null = null;
  #queue: Promise<void> = Promise.resolve();
  #release: (() => void) | null = null;
  #claim: Extract<Claim, { kind: 'owner' }> | null = null;
  #server: { close(): Promise<void> } | null = null;
  #remote: RemoteDatabase | null = null;

  constructor(config: PGliteDialectConfig) { this.#config = config; }

  async init(): Promise<void> {
    const dataDir = this.#config.dataDir === undefined ? undefined : resolve(this.#config.dataDir);
    if (dataDir !== undefined) {
      mkdirSync(dirname(dataDir), { recursive: true });
      const claim = claimDatabase(dataDir, { share: this.#config.share ?? false });
      if (claim.kind === 'remote') {
        this.#remote = await RemoteDatabase.connect(dataDir, claim.owner);
        this.#connection = new RemoteConnection(this.#remote);
        return;
      }
      this.#claim = claim;
    }
    try {
      await this.#open(dataDir);
      if (this.#claim?.socket) this.#server = await serveDatabase(this.#shared(), this.#claim.socket);
    } catch (err) {
      await this.destroy();
      throw err;
    }
  }

  /** The owner's side of sharing: other processes wait for the same mutex as this one's own connections. */
  #shared() {
    return {
      acquire: async () => { await this.acquireConnection(); },
      release: () => { void this.releaseConnection(); },
      query: async (sql: string, params: unknown[]) => {
        const pg = this.#pg;
        if (!pg) throw new Error('The PGlite database is closed.');
        const r = await pg.query(sql, params);
        return { rows: r.rows, affected: r.affectedRows ?? 0 };
      },
    };
  }

  async #open(dataDir: string | undefined): Promise<void> {
    const { PGlite } = await import('@electric-sql/pglite');
    const parsers = this.#config.parsers ?? {};
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
    if (!this.#connection) {
      this.#release = null;
      release();
      throw new Error('The PGlite database is closed.');
    }
    if (this.#remote) {
      try {
        await this.#remote.acquire();
      } catch (err) {
        this.#release = null;
        release();
        throw err;
      }
    }
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

  async dump(): Promise<Uint8Array> {
    if (!this.#pg) throw new Error(this.#remote ? 'The PGlite database is owned by another process; it cannot be dumped from here.' : 'The PGlite database is closed.');
    return new Uint8Array(await (await this.#pg.dumpDataDir('none')).arrayBuffer());
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = null;
    try {
      if (release && this.#remote) await this.#remote.release();
    } finally {
      release?.();
    }
  }

  async destroy(): Promise<void> {
    const pg = this.#pg;
    this.#pg = null;
    this.#connection = null;
    const server = this.#server;
    this.#server = null;
    if (server) await server.close();
    if (pg && !pg.closed) await pg.close();
    this.#claim?.release();
    this.#claim = null;
    this.#remote?.close();
    this.#remote = null;
  }
}

/** A connection to a folder another process owns: the same statements, sent to that process. */
class RemoteConnection implements DatabaseConnection {
  readonly #remote: RemoteDatabase;
  constructor(remote: RemoteDatabase) { this.#remote = remote; }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#remote.query(query.sql, [...query.parameters]);
    return { rows: result.rows as R[], ...(affects(query.sql) ? { numAffectedRows: BigInt(result.affected) } : {}) };
  }

  // eslint-disable-next-line require-yield -- as for PGlite itself
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite does not support streaming queries; iterate a QuerySet in chunks instead.');
  }
}

function affects(sql: string): boolean {
  const command = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase();
  return command === 'insert' || command === 'update' || command === 'delete' || command === 'merge';
}

class PGliteConnection implements DatabaseConnection {
  readonly #pg: PGlite;
  constructor(pg: PGlite) { this.#pg = pg; }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#pg.query<R>(query.sql, [...query.parameters]);
    return {
      rows: result.rows,
      ...(affects(query.sql) ? { numAffectedRows: BigInt(result.affectedRows ?? 0) } : {}),
    };
  }

  // eslint-disable-next-line require-yield -- PGlite has no cursors over its wire; streaming is refused outright
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite does not support streaming queries; iterate a QuerySet in chunks instead.');
  }
}
