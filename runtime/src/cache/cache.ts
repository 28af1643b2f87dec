// The cache interface every backend offers (Django's cache API), and the shared logic: keys under the site's
// prefix with a version, timeouts in seconds, JSON values, getOrSet with one computation per key per process.
import { CacheKeyMissing } from '../errors.js';

/** Seconds; `null` keeps the value until evicted; 0 or less expires it at once. Omitted: the backend's default. */
export type Timeout = number | null;

/** How long a value lives (seconds; null: until evicted) and under which key version. */
export interface SetOptions {
  timeout?: Timeout;
  version?: number;
}

/** The cache API every backend offers: get/set/delete, getOrSet, counters, versions, many at once. */
export interface Cache {
  /** The stored value, or undefined when absent or expired. Values are stored as JSON: Dates come back as strings. */
  get<T = unknown>(key: string, options?: { version?: number }): Promise<T | undefined>;
  set(key: string, value: unknown, options?: SetOptions): Promise<void>;
  /** Sets only when absent; true if it did. */
  add(key: string, value: unknown, options?: SetOptions): Promise<boolean>;
  delete(key: string, options?: { version?: number }): Promise<boolean>;
  has(key: string, options?: { version?: number }): Promise<boolean>;
  /** The cached value, or computes it (once per key across concurrent callers in this process), stores and returns it. */
  getOrSet<T>(key: string, compute: () => T | Promise<T>, options?: SetOptions): Promise<T>;
  /** Atomic on Redis; throws CacheKeyMissing when the key does not exist. */
  incr(key: string, delta?: number, options?: { version?: number }): Promise<number>;
  decr(key: string, delta?: number, options?: { version?: number }): Promise<number>;
  /** Only the keys found. */
  getMany<T = unknown>(keys: readonly string[], options?: { version?: number }): Promise<Map<string, T>>;
  setMany(values: Record<string, unknown> | Map<string, unknown>, options?: SetOptions): Promise<void>;
  deleteMany(keys: readonly string[], options?: { version?: number }): Promise<void>;
  /** New timeout for an existing key; false when it does not exist. */
  touch(key: string, options?: { timeout?: Timeout; version?: number }): Promise<boolean>;
  /** Moves a value to another version (invalidating readers of the old one); returns the new version. */
  incrVersion(key: string, delta?: number, options?: { version?: number }): Promise<number>;
  decrVersion(key: string, delta?: number, options?: { version?: number }): Promise<number>;
  /** Removes every key under this cache's prefix. */
  clear(): Promise<void>;
  close(): Promise<void>;
  /** The key as stored, with prefix and version. */
  makeKey(key: string, version?: number): string;
}

/** Options every backend takes: key prefix, default timeout and version, key function. */
export interface CacheOptions {
  /** Prepended to every key; on a shared Redis, the prefix the site's ACL user is limited to. */
  keyPrefix?: string;
  /** Seconds, Django's TIMEOUT (default 300). */
  timeout?: Timeout;
  /** The version used when a call gives none. */
  version?: number;
  /** Replaces Django's "prefix:version:key" layout. */
  keyFunction?: (key: string, keyPrefix: string, version: number) => string;
}

/** Full keys and serialized values: what each backend implements. */
export abstract class BaseCache implements Cache {
  readonly keyPrefix: string;
  readonly defaultTimeout: Timeout;
  readonly version: number;
  readonly #keyFunction: (key: string, keyPrefix: string, version: number) => string;
  readonly #inflight = new Map<string, Promise<unknown>>();

  constructor(options: CacheOptions = {}) {
    this.keyPrefix = options.keyPrefix ?? '';
    this.defaultTimeout = options.timeout === undefined ? 300 : options.timeout;
    this.version = options.version ?? 1;
    this.#keyFunction = options.keyFunction ?? ((key, prefix, version) => `${prefix}:${version}:${key}`);
  }

  protected abstract rawGet(key: string): Promise<string | undefined>;
  protected abstract rawGetMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** ttlMs: null keeps forever; callers never pass <= 0. */
  protected abstract rawSet(key: string, value: string, ttlMs: number | null): Promise<void>;
  protected abstract rawSetMany(entries: readonly [string, string][], ttlMs: number | null): Promise<void>;
  protected abstract rawAdd(key: string, value: string, ttlMs: number | null): Promise<boolean>;
  protected abstract rawDelete(keys: readonly string[]): Promise<number>;
  protected abstract rawHas(key: string): Promise<boolean>;
  /** Throws CacheKeyMissing when absent. */
  protected abstract rawIncr(key: string, delta: number): Promise<number>;
  protected abstract rawTouch(key: string, ttlMs: number | null): Promise<boolean>;
  abstract clear(): Promise<void>;
  abstract close(): Promise<void>;

  makeKey(key: string, version?: number): string {
    if (typeof key !== 'string' || key.length === 0) throw new TypeError('A cache key must be a non-empty string.');
    return this.#keyFunction(key, this.keyPrefix, version ?? this.version);
  }

  /** undefined: use the default; null: forever; otherwise milliseconds, possibly <= 0 (expire now). */
  protected ttlMs(timeout: Timeout | undefined): number | null {
    const t = timeout === undefined ? this.defaultTimeout : timeout;
    return t === null ? null : Math.round(t * 1000);
  }

  async get<T = unknown>(key: string, options: { version?: number } = {}): Promise<T | undefined> {
    const raw = await this.rawGet(this.makeKey(key, options.version));
    return raw === undefined ? undefined : JSON.parse(raw) as T;
  }

  async set(key: string, value: unknown, options: SetOptions = {}): Promise<void> {
    const full = this.makeKey(key, options.version);
    const ttl = this.ttlMs(options.timeout);
    if (ttl !== null && ttl <= 0) {
      await this.rawDelete([full]);
      return;
    }
    await this.rawSet(full, serialize(value), ttl);
  }

  async add(key: string, value: unknown, options: SetOptions = {}): Promise<boolean> {
    const full = this.makeKey(key, options.version);
    const ttl = this.ttlMs(options.timeout);
    if (ttl !== null && ttl <= 0) return !(await this.rawHas(full));
    return this.rawAdd(full, serialize(value), ttl);
  }

  async delete(key: string, options: { version?: number } = {}): Promise<boolean> {
    return (await this.rawDelete([this.makeKey(key, options.version)])) > 0;
  }

  async has(key: string, options: { version?: number } = {}): Promise<boolean> {
    return this.rawHas(this.makeKey(key, options.version));
  }

  async getOrSet<T>(key: string, compute: () => T | Promise<T>, options: SetOptions = {}): Promise<T> {
    const full = this.makeKey(key, options.version);
    const running = this.#inflight.get(full);
    if (running) return running as Promise<T>;
    const work = (async () => {
      const cached = await this.get<T>(key, options);
      if (cached !== undefined) return cached;
      const value = await compute();
      if (value === undefined) return value;
      await this.add(key, value, options);
      // Another process may have won the race; everyone then serves the stored value (Django's behaviour).
      const stored = await this.get<T>(key, options);
      return stored === undefined ? value : stored;
    })();
    this.#inflight.set(full, work);
    try {
      return await work;
    } finally {
      this.#inflight.delete(full);
    }
  }

  async incr(key: string, delta = 1, options: { version?: number } = {}): Promise<number> {
    if (!Number.isSafeInteger(delta)) throw new TypeError(`incr takes an integer delta, not ${delta}.`);
    return this.rawIncr(this.makeKey(key, options.version), delta);
  }

  async decr(key: string, delta = 1, options: { version?: number } = {}): Promise<number> {
    return this.incr(key, -delta, options);
  }

  async getMany<T = unknown>(keys: readonly string[], options: { version?: number } = {}): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    if (keys.length === 0) return out;
    const raws = await this.rawGetMany(keys.map((k) => this.makeKey(k, options.version)));
    keys.forEach((k, i) => {
      const raw = raws[i];
      if (raw !== undefined) out.set(k, JSON.parse(raw) as T);
    });
    return out;
  }

  async setMany(values: Record<string, unknown> | Map<string, unknown>, options: SetOptions = {}): Promise<void> {
    const entries = values instanceof Map ? [...values.entries()] : Object.entries(values);
    if (entries.length === 0) return;
    const ttl = this.ttlMs(options.timeout);
    const full = entries.map(([k, v]) => [this.makeKey(k, options.version), serialize(v)] as [string, string]);
    if (ttl !== null && ttl <= 0) await this.rawDelete(full.map(([k]) => k));
    else await this.rawSetMany(full, ttl);
  }

  async deleteMany(keys: readonly string[], options: { version?: number } = {}): Promise<void> {
    if (keys.length) await this.rawDelete(keys.map((k) => this.makeKey(k, options.version)));
  }

  async touch(key: string, options: { timeout?: Timeout; version?: number } = {}): Promise<boolean> {
    const full = this.makeKey(key, options.version);
    const ttl = this.ttlMs(options.timeout);
    if (ttl !== null && ttl <= 0) return (await this.rawDelete([full])) > 0;
    return this.rawTouch(full, ttl);
  }

  async incrVersion(key: string, delta = 1, options: { version?: number } = {}): Promise<number> {
    const version = options.version ?? this.version;
    const raw = await this.rawGet(this.makeKey(key, version));
    if (raw === undefined) throw new CacheKeyMissing(key);
    await this.rawSet(this.makeKey(key, version + delta), raw, this.ttlMs(undefined));
    await this.rawDelete([this.makeKey(key, version)]);
    return version + delta;
  }

  async decrVersion(key: string, delta = 1, options: { version?: number } = {}): Promise<number> {
    return this.incrVersion(key, -delta, options);
  }
}

function serialize(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`A cache value must be JSON-serializable; got ${typeof value}.`);
  return json;
}
