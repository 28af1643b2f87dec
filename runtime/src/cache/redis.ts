// The site's Redis cache (ioredis). On the platform the site's ACL user may only touch keys under its prefix and
// may not enumerate keys, so every key carries the prefix and clear() needs SCAN, which only a private Redis allows.
import { Redis, type RedisOptions } from 'ioredis';
import { CacheKeyMissing, CacheOperationUnsupported } from '../errors.js';
import { BaseCache, type CacheOptions } from './cache.js';

/** A Redis cache's connection: a URL, or a client to share. */
export interface RedisCacheOptions extends CacheOptions {
  /** redis://user:password@host:port/db, or an ioredis client the cache may share (close() then leaves it open). */
  url?: string;
  client?: Redis;
  redisOptions?: RedisOptions;
}

/** The cache in Redis: shared by every process and replica; atomic counters. */
export class RedisCache extends BaseCache {
  readonly client: Redis;
  readonly #ownsClient: boolean;

  constructor(options: RedisCacheOptions) {
    super(options);
    if (options.client) {
      this.client = options.client;
      this.#ownsClient = false;
    } else {
      if (!options.url) throw new TypeError('RedisCache needs a url or a client.');
      this.client = new Redis(options.url, {
        // A cache must fail fast: a view waiting forever on a dead cache is worse than a cache miss.
        connectTimeout: 2000,
        maxRetriesPerRequest: 1,
        lazyConnect: true,
        // The ready check runs INFO, which a tenant's ACL user may not: ioredis would warn about it
        // at every connection, first thing in every site's log.
        enableReadyCheck: false,
        ...options.redisOptions,
      });
      this.#ownsClient = true;
    }
  }

  protected async rawGet(key: string): Promise<string | undefined> {
    return (await this.client.get(key)) ?? undefined;
  }

  protected async rawGetMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return (await this.client.mget(...keys)).map((v) => v ?? undefined);
  }

  protected async rawSet(key: string, value: string, ttlMs: number | null): Promise<void> {
    if (ttlMs === null) await this.client.set(key, value);
    else await this.client.set(key, value, 'PX', ttlMs);
  }

  protected async rawSetMany(entries: readonly [string, string][], ttlMs: number | null): Promise<void> {
    const tx = this.client.multi();
    for (const [k, v] of entries) {
      if (ttlMs === null) tx.set(k, v);
      else tx.set(k, v, 'PX', ttlMs);
    }
    await execOrThrow(tx.exec());
  }

  protected async rawAdd(key: string, value: string, ttlMs: number | null): Promise<boolean> {
    const r = ttlMs === null ? await this.client.set(key, value, 'NX') : await this.client.set(key, value, 'PX', ttlMs, 'NX');
    return r === 'OK';
  }

  protected async rawDelete(keys: readonly string[]): Promise<number> {
    return this.client.del(...keys);
  }

  protected async rawHas(key: string): Promise<boolean> {
    return (await this.client.exists(key)) === 1;
  }

  protected async rawIncr(key: string, delta: number): Promise<number> {
    // INCRBY would create a missing key; Django's API says incr on a missing key is an error. The increment itself
    // stays atomic (and keeps the key's TTL); only a key deleted between the two commands can slip through.
    if ((await this.client.exists(key)) !== 1) throw new CacheKeyMissing(key);
    try {
      return await this.client.incrby(key, delta);
    } catch (e) {
      if (e instanceof Error && /not an integer/.test(e.message)) throw new TypeError(`Cache key '${key}' does not hold an integer.`, { cause: e });
      throw e;
    }
  }

  protected async rawTouch(key: string, ttlMs: number | null): Promise<boolean> {
    if (ttlMs !== null) return (await this.client.pexpire(key, ttlMs)) === 1;
    const [persisted, exists] = await Promise.all([this.client.persist(key), this.client.exists(key)]);
    return persisted === 1 || exists === 1;
  }

  async clear(): Promise<void> {
    const pattern = `${this.keyPrefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    try {
      let cursor = '0';
      do {
        const [next, keys] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        if (keys.length) await this.client.unlink(...keys);
      } while (cursor !== '0');
    } catch (e) {
      if (e instanceof Error && /NOPERM/.test(e.message)) {
        throw new CacheOperationUnsupported('clear() needs SCAN, which the site\'s cache user may not run on the shared cache. '
          + 'Delete known keys, or bump the cache VERSION (keys of the old version then age out).');
      }
      throw e;
    }
  }

  async close(): Promise<void> {
    if (!this.#ownsClient || this.client.status === 'end') return;
    if (this.client.status === 'wait') this.client.disconnect(); // never connected: nothing to say goodbye to
    else await this.client.quit().catch(() => this.client.disconnect());
  }
}

async function execOrThrow(result: Promise<[Error | null, unknown][] | null>): Promise<void> {
  for (const [err] of (await result) ?? []) if (err) throw err;
}
