// One job at a time per site: provisioning, reconciling and teardown of the same site take a
// Postgres advisory lock on the site's id, held on a connection of its own for the job's length,
// so a teardown never races a provisioning that would re-create what it removed.
import { openPgPool } from '../store/db.js';

export interface SiteLocks {
  withLock<T>(siteId: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function createSiteLocks(databaseUrl: string, size: number, onError?: (err: Error) => void): SiteLocks {
  // Sized to the jobs that may run at once, so a job never waits on a lock connection while
  // holding another.
  const pool = openPgPool(databaseUrl, { max: size, ...(onError ? { onError } : {}) });
  return {
    async withLock(siteId, fn) {
      const client = await pool.connect();
      try {
        await client.query("select pg_advisory_lock(hashtext('paddock-site:' || $1))", [siteId]);
        try {
          return await fn();
        } finally {
          // A connection that broke meanwhile took the lock with it: nothing left to unlock.
          await client.query("select pg_advisory_unlock(hashtext('paddock-site:' || $1))", [siteId]).catch(() => undefined);
        }
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
