// Sessions in the site's cache (Redis on the platform): fast, and they expire by themselves; a cache eviction logs
// the visitor out, which is the trade-off Django documents for its cache backend.
import type { Cache } from '../../../cache/cache.js';
import type { SessionStore } from '../session.js';

const PREFIX = 'paddock.sessions.';

/** Sessions in a cache (the default store uses the site's 'default' cache): they expire on their own. */
export class CacheSessionStore implements SessionStore {
  constructor(readonly cache: Cache, readonly now: () => number = Date.now) {}

  async load(key: string): Promise<{ data: Record<string, unknown>; expiresAt: number } | null> {
    const entry = await this.cache.get<{ data: Record<string, unknown>; expiresAt: number }>(PREFIX + key);
    return entry && typeof entry === 'object' && typeof entry.expiresAt === 'number' ? entry : null;
  }

  async save(key: string, data: Record<string, unknown>, expiresAt: number, mustCreate: boolean): Promise<boolean> {
    const timeout = Math.max(1, Math.ceil((expiresAt - this.now()) / 1000));
    if (mustCreate) return this.cache.add(PREFIX + key, { data, expiresAt }, { timeout });
    await this.cache.set(PREFIX + key, { data, expiresAt }, { timeout });
    return true;
  }

  async delete(key: string): Promise<void> {
    await this.cache.delete(PREFIX + key);
  }

  async clearExpired(): Promise<number> {
    return 0;
  }
}
