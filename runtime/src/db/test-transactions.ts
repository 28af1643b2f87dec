// The test runner's transactions (@paddock/runtime/test): one transaction per database held open for a whole test
// file on a connection of its own, with a savepoint per test (and per suite that loads fixtures) rolled back at its
// end. While one is open every statement of the process runs on that connection, so the app code's own atomic()
// blocks become savepoints inside it and nothing a test writes outlives the test, as in Django's TestCase.
import { CompiledQuery } from 'kysely';
import { DatabaseConfigError } from '../errors.js';
import { databaseAliases, getDatabase, pinnedTransactions, type Db, type TxState } from './connections.js';

interface Pinned { state: TxState; release: () => void; marks: string[]; done: Promise<unknown> }
const pinned = new Map<string, Pinned>();
let nextMark = 0;

// One operation at a time, in the order asked: test hooks may run at once (node runs a file's top-level before
// hooks concurrently), and savepoints must open and close in order on the one connection.
let queue: Promise<unknown> = Promise.resolve();
function serial<T>(op: () => Promise<T>): Promise<T> {
  const next = queue.then(op);
  queue = next.catch(() => undefined);
  return next;
}

/** Opens the process-wide transaction on every configured database (or those named). */
export function beginTestTransactions(aliases: readonly string[] = databaseAliases()): Promise<void> {
  return serial(async () => {
    for (const alias of aliases) {
      if (pinned.has(alias)) throw new DatabaseConfigError(`A test transaction is already open on "${alias}".`);
      const db = getDatabase(alias);
      let release!: () => void;
      const held = new Promise<void>((r) => { release = r; });
      let done!: Promise<unknown>;
      // The connection stays checked out of the pool (or PGlite's mutex) until release(): nothing else can use it.
      const conn = await new Promise<Db>((got, fail) => {
        done = db.kysely.connection().execute(async (c) => { got(c); await held; }).catch(fail);
      });
      await conn.executeQuery(CompiledQuery.raw('begin'));
      const state: TxState = { alias, conn, savepoints: 0, callbacks: [] };
      pinned.set(alias, { state, release, marks: [], done });
      pinnedTransactions.set(alias, state);
    }
  });
}

/** A savepoint on every open test transaction: what endTestSavepoint() rolls back to. */
export function beginTestSavepoint(): Promise<void> {
  return serial(async () => {
    const name = `pdk_test_${++nextMark}`;
    for (const p of pinned.values()) {
      await p.state.conn.executeQuery(CompiledQuery.raw(`savepoint ${name}`));
      p.marks.push(name);
    }
  });
}

/** Rolls every test transaction back to its latest savepoint: what the test (or suite) wrote is gone. */
export function endTestSavepoint(): Promise<void> {
  return serial(async () => {
    for (const p of pinned.values()) {
      const name = p.marks.pop();
      if (!name) continue;
      await p.state.conn.executeQuery(CompiledQuery.raw(`rollback to savepoint ${name}`));
      await p.state.conn.executeQuery(CompiledQuery.raw(`release savepoint ${name}`));
      // onCommit() callbacks registered since then belong to work that never happened.
      p.state.callbacks.length = 0;
    }
  });
}

/** Rolls back and ends every test transaction, giving their connections back. */
export function rollbackTestTransactions(): Promise<void> {
  return serial(async () => {
    for (const [alias, p] of pinned) {
      pinned.delete(alias);
      pinnedTransactions.delete(alias);
      try {
        await p.state.conn.executeQuery(CompiledQuery.raw('rollback'));
      } finally {
        p.release();
        await p.done;
      }
    }
  });
}

/** The onCommit() callbacks waiting on the test transaction of `alias` (they never run on their own: nothing commits). */
export function pendingOnCommit(alias = 'default'): Array<() => unknown> {
  return pinned.get(alias)?.state.callbacks ?? [];
}
