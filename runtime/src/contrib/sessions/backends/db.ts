// Sessions in the site's database: they survive cache evictions and restarts; expired rows stay until clearsessions.
import { SessionRecord } from '../models.js';
import type { SessionStore } from '../session.js';

/** Sessions in the database (list sessionsApp): they survive restarts; clearsessions deletes expired ones. */
export class DatabaseSessionStore implements SessionStore {
  constructor(readonly now: () => number = Date.now) {}

  async load(key: string): Promise<{ data: Record<string, unknown>; expiresAt: number } | null> {
    const row = await SessionRecord.objects.filter({ sessionKey: key, expireDate__gt: new Date(this.now()) }).first();
    return row ? { data: (row.sessionData ?? {}) as Record<string, unknown>, expiresAt: row.expireDate.getTime() } : null;
  }

  async save(key: string, data: Record<string, unknown>, expiresAt: number, mustCreate: boolean): Promise<boolean> {
    const expireDate = new Date(expiresAt);
    if (!mustCreate) {
      await SessionRecord.objects.updateOrCreate({ sessionKey: key }, { sessionData: data, expireDate });
      return true;
    }
    const [, created] = await SessionRecord.objects.getOrCreate({ sessionKey: key }, { sessionData: data, expireDate });
    return created;
  }

  async delete(key: string): Promise<void> {
    await SessionRecord.objects.filter({ sessionKey: key }).delete();
  }

  /** clearsessions: removes expired rows. */
  async clearExpired(): Promise<number> {
    return (await SessionRecord.objects.filter({ expireDate__lt: new Date(this.now()) }).delete()).total;
  }
}
