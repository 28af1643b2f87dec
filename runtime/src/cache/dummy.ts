// A cache that stores nothing: every read misses. For development with caching switched off, keeping the calls.
import { CacheKeyMissing } from '../errors.js';
import { BaseCache, type SetOptions } from './cache.js';

/** A cache that keeps nothing: every get misses. */
export class DummyCache extends BaseCache {
  // Keys are still checked (as Django's dummy cache does); values are not serialised only to be dropped.
  override async set(key: string, _value: unknown, options: SetOptions = {}): Promise<void> { this.makeKey(key, options.version); }
  override async add(key: string, _value: unknown, options: SetOptions = {}): Promise<boolean> { this.makeKey(key, options.version); return true; }

  protected async rawGet(): Promise<string | undefined> { return undefined; }
  protected async rawGetMany(keys: readonly string[]): Promise<(string | undefined)[]> { return keys.map(() => undefined); }
  protected async rawSet(): Promise<void> {}
  protected async rawSetMany(): Promise<void> {}
  protected async rawAdd(): Promise<boolean> { return true; }
  protected async rawDelete(): Promise<number> { return 0; }
  protected async rawHas(): Promise<boolean> { return false; }
  protected async rawIncr(key: string): Promise<number> { throw new CacheKeyMissing(key); }
  protected async rawTouch(): Promise<boolean> { return false; }
  async clear(): Promise<void> {}
  async close(): Promise<void> {}
}
