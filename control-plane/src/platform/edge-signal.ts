// How the control plane tells the edges that routes changed, and waits until they route by the
// new table: a generation counter and a pub/sub message in the platform Redis; each edge records
// the generation it has applied. No edge running (dev without one): nothing to wait for.
import type { Redis } from 'ioredis';

export class EdgeSignal {
  constructor(private readonly redis: Redis, readonly namespace = 'paddock') {}

  get channel(): string {
    return `${this.namespace}:edge:changed`;
  }

  private get genKey(): string {
    return `${this.namespace}:edge:generation`;
  }

  private appliedKey(edgeId: string): string {
    return `${this.namespace}:edge:applied:${edgeId}`;
  }

  /** Announces a change; resolves once every live edge applied it (or after `timeoutMs`). */
  async changed(timeoutMs = 10_000): Promise<number> {
    const gen = await this.redis.incr(this.genKey);
    await this.redis.publish(this.channel, String(gen));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const edges = await this.liveEdges();
      if (edges.length === 0) return gen;
      const applied = await Promise.all(edges.map((e) => this.redis.get(this.appliedKey(e))));
      if (applied.every((a) => Number(a ?? 0) >= gen)) return gen;
      if (Date.now() > deadline) throw new Error(`the edge did not apply the new routes within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async generation(): Promise<number> {
    return Number((await this.redis.get(this.genKey)) ?? 0);
  }

  /** Edges refresh this every few seconds while they run. */
  async heartbeat(edgeId: string, ttlSeconds = 10): Promise<void> {
    await this.redis.set(`${this.namespace}:edge:alive:${edgeId}`, '1', 'EX', ttlSeconds);
  }

  async applied(edgeId: string, gen: number): Promise<void> {
    await this.redis.set(this.appliedKey(edgeId), String(gen), 'EX', 24 * 3600);
  }

  async gone(edgeId: string): Promise<void> {
    await this.redis.del(`${this.namespace}:edge:alive:${edgeId}`, this.appliedKey(edgeId));
  }

  async liveEdges(): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', `${this.namespace}:edge:alive:*`, 'COUNT', 100);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    return keys.map((k) => k.slice(`${this.namespace}:edge:alive:`.length));
  }
}
