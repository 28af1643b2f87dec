// Tenant caches: one Redis ACL user per site on one server of the cache pool. The user reaches
// only keys and channels under the site's prefix, and none of the commands that enumerate the
// keyspace (KEYS, SCAN, RANDOMKEY, DBSIZE, PUBSUB), wipe it (FLUSHALL, FLUSHDB, SWAPDB, MOVE),
// administer the server (CONFIG, DEBUG, ACL, CLIENT KILL/LIST, INFO, SHUTDOWN...), watch others
// (CLIENT TRACKING, whose invalidations name other tenants' keys) or run
// scripts (which could loop forever).
import { Redis } from 'ioredis';
import type { Provisioner, TenantResource } from './provisioner.js';
import { compactId, serverKey } from './provisioner.js';

/**
 * CLIENT TRACKING (BCAST above all) pushes the names of every key anyone changes, other tenants'
 * session keys included; CLIENT LIST/KILL/PAUSE... reach other connections. Only what concerns the
 * caller's own connection stays.
 */
const clientRules = ['-client', '+client|setname', '+client|getname', '+client|id', '+client|info', '+client|reply'] as const;

/** The ACL rules after `reset`, minus password and key pattern. Order matters: later wins. */
export const cacheUserRules = [
  '-@all',
  '+@read', '+@write', '+@keyspace', '+@string', '+@hash', '+@list', '+@set', '+@sortedset',
  '+@bitmap', '+@hyperloglog', '+@geo', '+@stream', '+@pubsub', '+@transaction', '+@connection', '+@blocking',
  '-@dangerous', '-@admin', '-@scripting',
  '-keys', '-scan', '-randomkey', '-dbsize', '-pubsub', '-select', '-swapdb', '-move', '-migrate',
  '-flushall', '-flushdb', '-config', '-debug', '-acl', '-monitor', '-shutdown', '-info', '-sort', '-sort_ro',
  ...clientRules,
] as const;

const TENANT_USER = /^s_[0-9a-f]{32}$/;

export class RedisProvisioner implements Provisioner {
  readonly kind = 'redis' as const;
  readonly servers: readonly string[];
  private readonly urls = new Map<string, string>();
  private readonly clients = new Map<string, Redis>();

  constructor(adminUrls: readonly string[]) {
    for (const url of adminUrls) this.urls.set(serverKey(url, 6379), url);
    this.servers = [...this.urls.keys()];
  }

  names(siteId: string) {
    const id = compactId(siteId);
    return { username: `s_${id}`, database: null, keyPrefix: `s:${id}:` };
  }

  urlFor(server: string): string {
    const url = this.urls.get(server);
    if (!url) throw new Error(`Redis server ${server} is not in PADDOCK_CACHE_ADMIN_URL any more; add it back to reach its sites.`);
    return url;
  }

  private readonly hardened = new Map<string, Promise<void>>();

  /**
   * The client, once every tenant user of the server has the CLIENT rules: users made by an older
   * release keep their old rules until `ensure` resets them, which happens only to sites being
   * provisioned. Rules added without `reset` need no password. Once per server and process.
   */
  private async conn(server: string): Promise<Redis> {
    const c = this.client(server);
    let done = this.hardened.get(server);
    if (!done) {
      done = (async () => {
        const users = ((await c.call('ACL', 'USERS')) as string[]).filter((u) => TENANT_USER.test(u));
        if (users.length === 0) return;
        const batch = c.pipeline();
        for (const u of users) batch.call('ACL', 'SETUSER', u, ...clientRules);
        await batch.exec();
        await this.save(c);
      })();
      done.catch(() => this.hardened.delete(server)); // retried on the next call
      this.hardened.set(server, done);
    }
    await done;
    return c;
  }

  private client(server: string): Redis {
    let c = this.clients.get(server);
    if (!c) {
      c = new Redis(this.urlFor(server), { maxRetriesPerRequest: 3, connectTimeout: 3000 });
      c.on('error', () => {});
      this.clients.set(server, c);
    }
    return c;
  }

  /** Persist ACL changes when the server keeps users in an aclfile; without one they live in memory. */
  private async save(c: Redis): Promise<void> {
    try {
      await c.call('ACL', 'SAVE');
    } catch (e) {
      if (!/aclfile|configured/i.test(String((e as Error).message))) throw e;
    }
  }

  async ensure(r: TenantResource): Promise<void> {
    const prefix = r.keyPrefix;
    if (!prefix) throw new Error('A cache user needs its key prefix.');
    const c = await this.conn(r.server);
    await c.call('ACL', 'SETUSER', r.username, 'reset', 'on', `>${r.password}`, `~${prefix}*`, `&${prefix}*`, ...cacheUserRules);
    await this.save(c);
  }

  async suspend(r: TenantResource): Promise<void> {
    const c = await this.conn(r.server);
    const users = (await c.call('ACL', 'USERS')) as string[];
    if (!users.includes(r.username)) return;
    await c.call('ACL', 'SETUSER', r.username, 'off');
    await c.call('CLIENT', 'KILL', 'USER', r.username).catch(() => 0);
    await this.save(c);
  }

  async destroy(r: TenantResource): Promise<void> {
    const c = await this.conn(r.server);
    await c.call('ACL', 'DELUSER', r.username);
    await c.call('CLIENT', 'KILL', 'USER', r.username).catch(() => 0);
    await this.save(c);
    if (r.keyPrefix) {
      let cursor = '0';
      do {
        const [next, keys] = await c.scan(cursor, 'MATCH', `${r.keyPrefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await c.unlink(...keys);
      } while (cursor !== '0');
    }
  }

  async usage(r: TenantResource): Promise<Record<string, number>> {
    return { cacheKeys: (await this.countKeys(r, 1000)).keys };
  }

  /** The site's keys, counted with SCAN for at most `maxRounds` rounds of 1000 (complete: false when it stopped early). */
  async countKeys(r: TenantResource, maxRounds: number): Promise<{ keys: number; complete: boolean }> {
    const c = await this.conn(r.server);
    let keys = 0;
    let cursor = '0';
    let rounds = 0;
    // Bounded: usage is a report, not a reason to scan a huge keyspace for seconds.
    do {
      const [next, found] = await c.scan(cursor, 'MATCH', `${r.keyPrefix ?? '\u0000'}*`, 'COUNT', 1000);
      cursor = next;
      keys += found.length;
    } while (cursor !== '0' && ++rounds < maxRounds);
    return { keys, complete: cursor === '0' };
  }

  async close(): Promise<void> {
    for (const c of this.clients.values()) c.disconnect();
    this.clients.clear();
  }
}
