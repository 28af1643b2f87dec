// atomic(): a transaction, or a savepoint when one is already open on that database; onCommit hooks run after the outermost commit.
import { CompiledQuery } from 'kysely';
import { currentTransaction, getDatabase, translateError, txStorage, type TxState } from './connections.js';
import { Rollback } from '../errors.js';

export interface AtomicOptions { using?: string }

const COMMIT_FAILED = Symbol('paddock.commitFailed');

/**
 * Runs fn in a transaction on `using` (default 'default'). Nested calls open savepoints: an error
 * inside rolls back only that block. Throwing `new Rollback()` rolls back quietly (atomic returns undefined).
 */
export async function atomic<T>(fn: () => Promise<T>, opts: AtomicOptions = {}): Promise<T> {
  const alias = opts.using ?? 'default';
  const open = currentTransaction(alias);
  if (open) return savepoint(open, fn);
  const db = getDatabase(alias);
  let state: TxState | undefined;
  const result = await db.kysely.connection().execute(async (conn) => {
    state = { alias, conn, savepoints: 0, callbacks: [] };
    const store = new Map(txStorage.getStore() ?? []);
    store.set(alias, state);
    await conn.executeQuery(CompiledQuery.raw('begin'));
    try {
      const value = await txStorage.run(store, fn);
      // Deferred constraints (foreign keys) are checked here; a failed commit has already rolled back.
      try {
        await conn.executeQuery(CompiledQuery.raw('commit'));
      } catch (err) {
        state.callbacks = [];
        throw Object.assign(translateError(err) as object, { [COMMIT_FAILED]: true });
      }
      return { value };
    } catch (err) {
      if ((err as Record<symbol, unknown>)[COMMIT_FAILED]) throw err;
      await conn.executeQuery(CompiledQuery.raw('rollback'));
      state.callbacks = [];
      if (err instanceof Rollback) return { value: undefined as T };
      throw err;
    }
  });
  // Hooks run outside the transaction's context, after the connection is back in the pool.
  for (const cb of state?.callbacks ?? []) await txStorage.run(new Map(), async () => { await cb(); });
  return result.value;
}

async function savepoint<T>(state: TxState, fn: () => Promise<T>): Promise<T> {
  const name = `pdk_sp_${++state.savepoints}`;
  const mark = state.callbacks.length;
  await state.conn.executeQuery(CompiledQuery.raw(`savepoint ${name}`));
  try {
    const value = await fn();
    await state.conn.executeQuery(CompiledQuery.raw(`release savepoint ${name}`));
    return value;
  } catch (err) {
    await state.conn.executeQuery(CompiledQuery.raw(`rollback to savepoint ${name}`));
    state.callbacks.length = mark;
    if (err instanceof Rollback) return undefined as T;
    throw err;
  }
}

/** Runs fn after the current transaction on `using` commits (dropped if it rolls back); at once outside a transaction. */
export async function onCommit(fn: () => unknown, opts: AtomicOptions = {}): Promise<void> {
  const state = currentTransaction(opts.using ?? 'default');
  if (state) state.callbacks.push(fn);
  else await fn();
}

export function inTransaction(opts: AtomicOptions = {}): boolean {
  return currentTransaction(opts.using ?? 'default') !== undefined;
}
