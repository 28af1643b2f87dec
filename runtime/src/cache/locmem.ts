// In-process cache: a per-name LRU map with expiry. Fast and private to one process, so only for development,
// tests and values that may differ between a site's containers.
import { CacheKeyMissing } from '../errors.js';
import { BaseCache, type CacheOptions } from './cache.js';

/** A local-memory cache's size limit. */
export interface LocMemCacheOptions extends CacheOptions {
  /** Caches with the same name share one store inside the process (Django's LOCATION). */
  name?: string;
  /** Least recently used entries are dropped beyond this many (Django's MAX_ENTRIES). */
  maxEntries?: number;
  /** Milliseconds since the epoch; tests inject a clock. */
  now?: () => number;
}

interface Entry { value: string; expiresAt: number | null; prefix: string }

const stores = new Map<string, Map<string, Entry>>();

/** The cache in this process's memory: fast, private to the process, gone on restart. */
export class LocMemCache extends BaseCache {
  readonly maxEntries: number;
  readonly #store: Map<string, Entry>;
  readonly #now: () => number;

  constructor(options: LocMemCacheOptions = {}) {
    super(options);
    this.maxEntries = options.maxEntries ?? 300;
    this.#now = options.now ?? Date.now;
    const name = options.name ?? '';
    let store = stores.get(name);
    if (!store) stores.set(name, (store = new Map()));
    this.#store = store;
  }

  /** The live entry, moved to the most-recently-used end; expired entries are dropped on sight. */
  #touchEntry(key: string): Entry | undefined {
    const e = this.#store.get(key);
    if (!e) return undefined;
    this.#store.delete(key);
    if (e.expiresAt !== null && e.expiresAt <= this.#now()) return undefined;
    this.#store.set(key, e);
    return e;
  }

  #put(key: string, value: string, ttlMs: number | null): void {
    this.#store.delete(key);
    this.#store.set(key, { value, expiresAt: ttlMs === null ? null : this.#now() + ttlMs, prefix: this.keyPrefix });
    // Map iteration order is insertion order, so the first keys are the least recently used.
    for (const k of this.#store.keys()) {
      if (this.#store.size <= this.maxEntries) break;
      this.#store.delete(k);
    }
  }

  protected async rawGet(key: string): Promise<string | undefined> {
    return this.#touchEntry(key)?.value;
  }

  protected async rawGetMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return keys.map((k) => this.#touchEntry(k)?.value);
  }

  protected async rawSet(key: string, value: string, ttlMs: number | null): Promise<void> {
    this.#put(key, value, ttlMs);
  }

  protected async rawSetMany(entries: readonly [string, string][], ttlMs: number | null): Promise<void> {
    for (const [k, v] of entries) this.#put(k, v, ttlMs);
  }

  protected async rawAdd(key: string, value: string, ttlMs: number | null): Promise<boolean> {
    if (this.#touchEntry(key)) return false;
    this.#put(key, value, ttlMs);
    return true;
  }

  protected async rawDelete(keys: readonly string[]): Promise<number> {
    let n = 0;
    for (const k of keys) if (this.#touchEntry(k) && this.#store.delete(k)) n++;
    return n;
  }

  protected async rawHas(key: string): Promise<boolean> {
    return this.#touchEntry(key) !== undefined;
  }

  protected async rawIncr(key: string, delta: number): Promise<number> {
    const e = this.#touchEntry(key);
    if (!e) throw new CacheKeyMissing(key);
    const n = JSON.parse(e.value) as unknown;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new TypeError(`Cache key '${key}' does not hold an integer.`);
    e.value = String(n + delta);
    return n + delta;
  }

  protected async rawTouch(key: string, ttlMs: number | null): Promise<boolean> {
    const e = this.#touchEntry(key);
    if (!e) return false;
    e.expiresAt = ttlMs === null ? null : this.#now() + ttlMs;
    return true;
  }

  async clear(): Promise<void> {
    // Only this cache's prefix: two caches may share a name with different prefixes.
    for (const [k, e] of [...this.#store]) if (e.prefix === this.keyPrefix) this.#store.delete(k);
  }

  async close(): Promise<void> {}
}
