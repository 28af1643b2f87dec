// The cache battery: one interface (Cache) over the site's Redis, local memory or nothing.
export type { Cache, CacheOptions, SetOptions, Timeout } from './cache.js';
export { BaseCache } from './cache.js';
export { RedisCache, type RedisCacheOptions } from './redis.js';
export { LocMemCache, type LocMemCacheOptions } from './locmem.js';
export { DummyCache } from './dummy.js';
export { createCache, CacheRegistry, cachesFor, type CacheConfig } from './registry.js';
export { cachePage, type CachePageOptions } from './view.js';
export { fragmentCacheExtension, fragmentKey } from './fragment.js';
