// Recent log lines of each site (build, release, edge access lines) and of each deploy, kept in
// the platform Redis as capped streams, readable from any API server and followable live.
import type { Redis } from 'ioredis';

export type LogSource = 'build' | 'release' | 'edge' | 'app' | 'platform';

export interface LogEntry {
  id: string;
  at: string;
  source: LogSource;
  line: string;
  /** Set on a deploy log's last entry: 'succeeded' | 'failed'. */
  result?: string;
}

const SITE_KEEP = 2000;
const DEPLOY_KEEP = 5000;

function parse(id: string, fields: string[]): LogEntry {
  const m: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) m[fields[i]!] = fields[i + 1]!;
  const e: LogEntry = { id, at: m.at ?? '', source: (m.source ?? 'platform') as LogSource, line: m.line ?? '' };
  if (m.result) e.result = m.result;
  return e;
}

export class LogStore {
  constructor(private readonly redis: Redis, private readonly prefix = 'paddock') {}

  siteKey(siteId: string): string {
    return `${this.prefix}:logs:site:${siteId}`;
  }

  deployKey(deployId: string): string {
    return `${this.prefix}:logs:deploy:${deployId}`;
  }

  async appendSite(siteId: string, source: LogSource, lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const at = new Date().toISOString();
    const multi = this.redis.multi();
    for (const line of lines) multi.xadd(this.siteKey(siteId), 'MAXLEN', '~', String(SITE_KEEP), '*', 'at', at, 'source', source, 'line', line);
    await multi.exec();
  }

  /** A deploy's line goes to its own log and to the site's. */
  async appendDeploy(deployId: string, siteId: string, source: LogSource, line: string, result?: string): Promise<void> {
    const at = new Date().toISOString();
    const fields = ['at', at, 'source', source, 'line', line, ...(result ? ['result', result] : [])];
    await this.redis.multi()
      .xadd(this.deployKey(deployId), 'MAXLEN', '~', String(DEPLOY_KEEP), '*', ...fields)
      .expire(this.deployKey(deployId), 7 * 24 * 3600)
      .xadd(this.siteKey(siteId), 'MAXLEN', '~', String(SITE_KEEP), '*', ...fields)
      .exec();
  }

  async recent(key: string, count = 200): Promise<LogEntry[]> {
    const rows = await this.redis.xrevrange(key, '+', '-', 'COUNT', count);
    return rows.reverse().map(([id, fields]) => parse(id, fields));
  }

  /** Entries after `fromId` ('0' = all, '$' = only new), until the signal aborts or `until` says stop. */
  async *follow(key: string, opts: { fromId?: string; signal?: AbortSignal; until?: (e: LogEntry) => boolean } = {}): AsyncGenerator<LogEntry> {
    const conn = this.redis.duplicate();
    // Its failures reach the reader through xread; the event would only be printed as unhandled.
    conn.on('error', () => undefined);
    let last = opts.fromId ?? '$';
    const abort = () => conn.disconnect();
    opts.signal?.addEventListener('abort', abort, { once: true });
    try {
      while (!opts.signal?.aborted) {
        let res: [string, [string, string[]][]][] | null;
        try {
          res = (await conn.xread('COUNT', 500, 'BLOCK', 2000, 'STREAMS', key, last)) as [string, [string, string[]][]][] | null;
        } catch (err) {
          if (opts.signal?.aborted) return;
          throw err;
        }
        for (const [, entries] of res ?? []) {
          for (const [id, fields] of entries) {
            last = id;
            const e = parse(id, fields);
            yield e;
            if (opts.until?.(e)) return;
          }
        }
      }
    } finally {
      opts.signal?.removeEventListener('abort', abort);
      conn.disconnect();
    }
  }
}
