// One owner per embedded database folder. PGlite is Postgres inside one process: two processes opening the same
// folder (a dev server and a `shell`) each keep their own copy in memory and overwrite each other's files, which
// loses rows and then corrupts the catalog. So the first process to open a folder claims it with a lock file
// (`<folder>.lock`, holding its pid); a long-running owner (the dev server) also serves the database on a Unix
// socket, and every other process that opens the folder sends its statements there instead of opening it.
// A process that finds the folder held by an owner that serves nothing gets DatabaseInUse, never a second copy.
//
// The wire format is this runtime's own: 4-byte length-prefixed frames of v8.serialize() values, so Dates, bytes
// and bigints cross unchanged. A client holds the database for one Kysely connection at a time (acquire, queries,
// release), exactly as an in-process user holds the driver's mutex, so transactions stay whole.
import { createHash } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { DatabaseInUse } from '../errors.js';

/** What the lock file says about the process that owns a folder. */
export interface OwnerInfo {
  pid: number;
  /** The command it runs (`serve --dev`), for messages. */
  command: string;
  /** Where it serves the database; absent when it serves no one. */
  socket?: string;
}

export type Claim =
  | { kind: 'owner'; socket: string | undefined; release(): void }
  | { kind: 'remote'; owner: OwnerInfo & { socket: string } };

export function lockFile(dataDir: string): string {
  return `${dataDir}.lock`;
}

/** A short path (Unix socket paths are limited to about 100 bytes), the same for the same folder. */
export function socketFile(dataDir: string): string {
  return join(tmpdir(), `paddock-db-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}.sock`);
}

function readOwner(file: string): OwnerInfo | null {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as Partial<OwnerInfo>;
    return typeof info.pid === 'number' ? { pid: info.pid, command: String(info.command ?? ''), ...(info.socket ? { socket: info.socket } : {}) } : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const lockCommand = (): string => process.argv.slice(2).join(' ') || basename(process.argv[1] ?? 'node');

/**
 * Claims `dataDir` for this process, or finds the owner to go through. `share`: this process will serve the
 * database to others (on the returned socket). Throws DatabaseInUse when a live owner serves nothing.
 */
export function claimDatabase(dataDir: string, opts: { share: boolean }): Claim {
  const file = lockFile(dataDir);
  const socket = opts.share ? socketFile(dataDir) : undefined;
  const mine: OwnerInfo = { pid: process.pid, command: lockCommand(), ...(socket ? { socket } : {}) };
  for (let attempt = 0; attempt < 5; attempt++) {
    // Written aside and linked into place: link() fails if the lock exists, and nobody ever reads half a lock.
    const part = `${file}.${process.pid}.part`;
    writeFileSync(part, JSON.stringify(mine));
    try {
      linkSync(part, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readOwner(file);
      // This very process may hold it already (two aliases naming one folder): the same rules apply.
      if (owner && (owner.pid === process.pid || alive(owner.pid))) {
        if (owner.socket) return { kind: 'remote', owner: { ...owner, socket: owner.socket } };
        throw new DatabaseInUse(dataDir, owner.pid, owner.command);
      }
      // The owner is gone (killed, crashed) or the lock is unreadable: a stale lock, taken over.
      rmSync(file, { force: true });
      continue;
    } finally {
      rmSync(part, { force: true });
    }
    const release = () => {
      if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
      process.off('exit', release);
    };
    // A process that exits without closing its databases still leaves no lock behind (a killed one does: stale).
    process.on('exit', release);
    return { kind: 'owner', socket, release };
  }
  throw new DatabaseInUse(dataDir, readOwner(file)?.pid ?? 0, readOwner(file)?.command ?? 'another process');
}

// ---- frames ----

function writeFrame(socket: Socket, value: unknown): void {
  const body = serialize(value);
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.length, 0);
  socket.write(Buffer.concat([head, body]));
}

/** Calls onFrame for each whole frame that arrives on the socket. */
function readFrames(socket: Socket, onFrame: (value: unknown) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    while (buffered.length >= 4) {
      const size = buffered.readUInt32BE(0);
      if (buffered.length < 4 + size) break;
      const frame = buffered.subarray(4, 4 + size);
      buffered = buffered.subarray(4 + size);
      onFrame(deserialize(frame));
    }
  });
}

type Request = { op: 'acquire' } | { op: 'release' } | { op: 'query'; sql: string; params: unknown[] };
type Reply = { ok: true } | { rows: unknown[]; affected: number } | { error: Record<string, unknown> };

/** An error as plain data: its message, name and the fields Postgres sets (code, detail, constraint, ...). */
function errorData(err: unknown): Record<string, unknown> {
  const e = err as Record<string, unknown>;
  const out: Record<string, unknown> = { message: String(e?.message ?? err), name: String(e?.name ?? 'Error') };
  for (const key of ['code', 'detail', 'hint', 'constraint', 'table', 'column', 'schema', 'severity', 'position', 'where', 'routine']) {
    if (typeof e?.[key] === 'string') out[key] = e[key];
  }
  return out;
}

/** The owner side: what the database offers the socket server. */
export interface SharedDatabase {
  /** Waits for the database (the driver's mutex), as an in-process connection does. */
  acquire(): Promise<void>;
  release(): void;
  query(sql: string, params: unknown[]): Promise<{ rows: unknown[]; affected: number }>;
}

/** Serves `db` on `socket` until close(). A client that disconnects while holding the database has its work rolled back. */
export async function serveDatabase(db: SharedDatabase, socket: string): Promise<{ close(): Promise<void> }> {
  rmSync(socket, { force: true });
  const clients = new Set<Socket>();
  const server: Server = createServer((conn) => {
    clients.add(conn);
    let holding = false;
    let closed = false;
    let chain = Promise.resolve();
    const handle = async (req: Request): Promise<Reply> => {
      try {
        if (req.op === 'acquire') {
          await db.acquire();
          holding = true;
          // Gone while it waited its turn: give the database back at once.
          if (closed) await giveBack();
          return { ok: true };
        }
        if (req.op === 'release') {
          if (holding) { holding = false; db.release(); }
          return { ok: true };
        }
        if (!holding) return { error: { message: 'a query arrived before acquire', name: 'Error' } };
        return await db.query(req.sql, req.params);
      } catch (err) {
        return { error: errorData(err) };
      }
    };
    const giveBack = async () => {
      if (!holding) return;
      holding = false;
      // A transaction the client left open ends with it (a notice, not an error, when there is none).
      await db.query('rollback', []).catch(() => undefined);
      db.release();
    };
    readFrames(conn, (value) => {
      chain = chain.then(async () => {
        const reply = await handle(value as Request);
        if (!conn.destroyed) writeFrame(conn, reply);
      });
    });
    conn.on('error', () => { /* the close handler cleans up */ });
    conn.on('close', () => {
      closed = true;
      clients.delete(conn);
      chain = chain.then(giveBack);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => { server.off('error', reject); resolve(); });
  });
  server.unref();
  return {
    close: () => new Promise<void>((resolve) => {
      for (const c of clients) c.destroy();
      server.close(() => { rmSync(socket, { force: true }); resolve(); });
    }),
  };
}

/** The client side: one socket to the owner, requests answered in order. */
export class RemoteDatabase {
  readonly #socket: Socket;
  readonly #owner: OwnerInfo;
  readonly #pending: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];
  #closedError: Error | null = null;

  private constructor(socket: Socket, owner: OwnerInfo) {
    this.#socket = socket;
    this.#owner = owner;
    readFrames(socket, (value) => this.#pending.shift()?.resolve(value as Reply));
    socket.on('error', () => { /* the close handler reports it */ });
    socket.on('close', () => {
      this.#closedError = new Error(`The process that owns the database (pid ${owner.pid}: ${owner.command}) stopped serving it. Run the command again.`);
      for (const p of this.#pending.splice(0)) p.reject(this.#closedError);
    });
  }

  /** Connects to the owner's socket; retries briefly while the owner is starting to listen. */
  static async connect(dataDir: string, owner: OwnerInfo & { socket: string }): Promise<RemoteDatabase> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = createConnection(owner.socket);
          s.once('connect', () => { s.off('error', reject); resolve(s); });
          s.once('error', reject);
        });
        return new RemoteDatabase(socket, owner);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if ((code !== 'ENOENT' && code !== 'ECONNREFUSED') || Date.now() > deadline || !alive(owner.pid)) {
          throw new DatabaseInUse(dataDir, owner.pid, owner.command, `it does not answer on ${owner.socket} (${code ?? (err as Error).message})`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  #send(req: Request): Promise<Reply> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    return new Promise<Reply>((resolve, reject) => {
      this.#pending.push({ resolve, reject });
      writeFrame(this.#socket, req);
    });
  }

  async acquire(): Promise<void> {
    const r = await this.#send({ op: 'acquire' });
    if ('error' in r) throw Object.assign(new Error(String(r.error.message)), r.error);
  }

  async release(): Promise<void> {
    await this.#send({ op: 'release' });
  }

  async query(sql: string, params: unknown[]): Promise<{ rows: unknown[]; affected: number }> {
    const r = await this.#send({ op: 'query', sql, params });
    // Rebuilt with Postgres's fields, so the ORM turns a constraint violation into IntegrityError as usual.
    if ('error' in r) throw Object.assign(new Error(String(r.error.message)), r.error);
    if ('rows' in r) return r;
    throw new Error(`unexpected reply from the database owner (pid ${this.#owner.pid})`);
  }

  close(): void {
    this.#socket.end();
  }
}
