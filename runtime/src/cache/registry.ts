// Builds caches from the site's CACHES setting: one URL per alias, the scheme picks the backend
// (redis:// rediss:// locmem://name dummy://), options in the query string (?prefix=site42&timeout=600&version=2).
import { ImproperlyConfigured } from '../errors.js';
import type { Cache, CacheOptions } from './cache.js';
import { DummyCache } from './dummy.js';
import { LocMemCache } from './locmem.js';
import { RedisCache } from './redis.js';

/** One CACHES entry: its URL (redis://, rediss://, locmem://, dummy://) and options. */
export interface CacheConfig extends CacheOptions {
  url: string;
  /** LocMem only. */
  maxEntries?: number;
}

function numberParam(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ImproperlyConfigured(`Cache URL parameter ${name}=${raw} is not a number.`);
  return n;
}

/** A cache from a CACHES entry (options may also come from the URL's query string). */
export function createCache(config: CacheConfig): Cache {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new ImproperlyConfigured(`CACHES url '${config.url}' is not a URL. Use redis://host:6379, locmem://, or dummy://.`);
  }
  const timeoutParam = url.searchParams.get('timeout');
  const options: CacheOptions = {
    ...config,
    keyPrefix: config.keyPrefix ?? url.searchParams.get('prefix') ?? undefined,
    timeout: config.timeout !== undefined ? config.timeout
      : timeoutParam === 'none' ? null : numberParam(url, 'timeout'),
    version: config.version ?? numberParam(url, 'version'),
  };
  switch (url.protocol) {
    case 'redis:':
    case 'rediss:': {
      const clean = new URL(url);
      for (const p of ['prefix', 'timeout', 'version']) clean.searchParams.delete(p);
      return new RedisCache({ ...options, url: clean.toString() });
    }
    case 'locmem:':
      return new LocMemCache({ ...options, name: url.host || url.pathname, maxEntries: config.maxEntries ?? numberParam(url, 'max_entries') });
    case 'dummy:':
      return new DummyCache(options);
    default:
      throw new ImproperlyConfigured(`No cache backend for '${url.protocol}' URLs. Use redis://, rediss://, locmem:// or dummy://.`);
  }
}

/** The site's caches by alias, created on first use and closed together at shutdown. */
export class CacheRegistry {
  readonly #configs: Record<string, CacheConfig>;
  readonly #caches = new Map<string, Cache>();

  constructor(configs: Record<string, CacheConfig>) {
    this.#configs = configs;
  }

  get(alias = 'default'): Cache {
    let cache = this.#caches.get(alias);
    if (!cache) {
      const config = this.#configs[alias];
      if (!config) {
        // Django's default when CACHES is empty: a local-memory cache, so code using the cache still runs.
        if (alias !== 'default') throw new ImproperlyConfigured(`No cache named '${alias}' in CACHES. Add it, or use 'default'.`);
        cache = new LocMemCache();
      } else {
        cache = createCache(config);
      }
      this.#caches.set(alias, cache);
    }
    return cache;
  }

  async closeAll(): Promise<void> {
    const all = [...this.#caches.values()];
    this.#caches.clear();
    await Promise.all(all.map((c) => c.close()));
  }
}

const perSettings = new WeakMap<object, CacheRegistry>();

/** The caches of the site whose settings these are: one registry per site, shared by every battery that caches. */
export function cachesFor(settings: { CACHES: Record<string, CacheConfig> }): CacheRegistry {
  let registry = perSettings.get(settings);
  if (!registry) perSettings.set(settings, (registry = new CacheRegistry(settings.CACHES)));
  return registry;
}
