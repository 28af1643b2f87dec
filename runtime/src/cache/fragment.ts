// The template fragment cache: {% cache 600, 'sidebar', user.id %}...{% endcache %} renders the block once per
// name and vary values, then serves it from the site's cache for the given seconds.
// Install it with TEMPLATES: { OPTIONS: { extensions: { cache: fragmentCacheExtension() } } }.
import { createHash } from 'node:crypto';
import nunjucks from 'nunjucks';
import { getSettings } from '../site/current.js';
import type { Cache } from './cache.js';
import { cachesFor } from './registry.js';

interface ParserLike {
  nextToken(): { value: string };
  parseSignature(throwErrors: null, noParens: boolean): unknown;
  advanceAfterBlockEnd(name?: string): void;
  parseUntilBlocks(...names: string[]): unknown;
}
interface NodesLike { CallExtensionAsync: new (ext: object, method: string, args: unknown, body: unknown[]) => unknown }
type Body = (cb: (err: Error | null, out?: string) => void) => void;
type Done = (err: Error | null, out?: unknown) => void;

/** The key of one fragment: its name and the values it varies on (hashed, so any value is a safe key). */
export function fragmentKey(name: string, vary: readonly unknown[]): string {
  const h = createHash('sha256').update(JSON.stringify(vary.map((v) => (v instanceof Date ? v.toISOString() : v)))).digest('base64url');
  return `template.cache.${name}.${h}`;
}

/** cache: a Cache, or a CACHES alias resolved through the running site's settings (default 'default'). */
export function fragmentCacheExtension(cache: Cache | string = 'default'): nunjucks.Extension {
  const resolve = (): Cache => (typeof cache === 'string' ? cachesFor(getSettings()).get(cache) : cache);
  const ext = {
    tags: ['cache'],
    parse(parser: ParserLike, nodes: NodesLike) {
      const tok = parser.nextToken();
      const args = parser.parseSignature(null, true);
      parser.advanceAfterBlockEnd(tok.value);
      const body = parser.parseUntilBlocks('endcache');
      parser.advanceAfterBlockEnd();
      return new nodes.CallExtensionAsync(ext, 'run', args, [body]);
    },
    run(_context: unknown, ...rest: unknown[]) {
      const done = rest.pop() as Done;
      const body = rest.pop() as Body;
      const [timeout, name, ...vary] = rest;
      if (typeof timeout !== 'number' || typeof name !== 'string') {
        done(new Error("{% cache %} needs seconds and a fragment name: {% cache 600, 'sidebar' %}"));
        return;
      }
      const key = fragmentKey(name, vary);
      const c = resolve();
      c.get<string>(key).then((hit) => {
        if (hit !== undefined) return done(null, new nunjucks.runtime.SafeString(hit));
        body((err, out) => {
          if (err) return done(err);
          const html = out ?? '';
          // The block was auto-escaped when rendered, so what is stored is already safe markup.
          c.set(key, html, { timeout }).then(() => done(null, new nunjucks.runtime.SafeString(html)), done);
        });
      }, done);
    },
  };
  return ext as unknown as nunjucks.Extension;
}
