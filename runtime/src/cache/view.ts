// The per-view cache (Django's cache_page): whole GET responses stored in the site's cache by URL. Only pages that
// are the same for every visitor are stored: a view that reads the session, the user or the CSRF token, or sets a
// cookie or Cache-Control: private, is served fresh every time, so one visitor never gets another's page.
import { createHash } from 'node:crypto';
import type { Request } from '../http/request.js';
import { getLanguage } from '../i18n/translation.js';
import { getCurrentTimezone } from '../timezone/timezone.js';
import { Response } from '../http/response.js';
import { toViewFunction, type ViewFunction, type ViewLike } from '../urls/resolver.js';
import type { Cache } from './cache.js';
import { DummyCache } from './dummy.js';
import { cachesFor } from './registry.js';

/** Which cache cachePage() uses, and a key prefix to tell views (or data generations) apart. */
export interface CachePageOptions {
  /** The cache alias in CACHES (default 'default'), or a cache. */
  cache?: string | Cache;
  /** Separates the entries of different views or deployments. */
  keyPrefix?: string;
}

interface Stored { status: number; headers: Record<string, string>; body: string }

function visitorState(req: Request): boolean {
  const session = req.session as { accessed?: boolean } | undefined;
  return !!session?.accessed || req.state.userAccessed === true;
}

/** Wraps a view so its GET/HEAD 200 responses are cached for `seconds`. */
export function cachePage(seconds: number, view: ViewLike, options: CachePageOptions = {}): ViewFunction {
  const inner = toViewFunction(view);
  const wrapped: ViewFunction = async (req, params) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return inner(req, params);
    const cache = typeof options.cache === 'object' ? options.cache : cachesFor(req.site.settings).get(options.cache ?? 'default');
    // The same URL in another language or time zone is another page (Django's _i18n_cache_key_suffix).
    const key = `views.cache_page.${options.keyPrefix ?? ''}.${createHash('sha256').update(req.buildAbsoluteUri()).digest('base64url')}`
      + `.${getLanguage()}.${getCurrentTimezone()}`;
    const hit = await cache.get<Stored>(key);
    if (hit) {
      const res = new Response(Buffer.from(hit.body, 'base64'), { status: hit.status, headers: hit.headers });
      res.setHeader('x-cache', 'hit');
      return res;
    }
    // Note any CSRF token handed out while the view runs: a page with a token is personal.
    const originalToken = req.csrfToken;
    let tokenUsed = false;
    req.csrfToken = () => {
      tokenUsed = true;
      return originalToken();
    };
    const res = await inner(req, params);
    req.csrfToken = originalToken;
    const cc = (res.getHeader('cache-control') ?? '').toLowerCase();
    const cacheable = res.status === 200 && !tokenUsed && !visitorState(req) && res.cookies.length === 0
      && !/private|no-store|no-cache/.test(cc) && (typeof res.body === 'string' || res.body instanceof Uint8Array);
    if (cacheable) {
      if (!res.hasHeader('cache-control')) res.setHeader('cache-control', `max-age=${seconds}`);
      // A dummy cache (caching switched off) would throw the copy away: skip making it.
      if (cache instanceof DummyCache) return res;
      const body = typeof res.body === 'string' ? Buffer.from(res.body) : Buffer.from(res.body as Uint8Array);
      await cache.set(key, { status: res.status, headers: { ...res.headers }, body: body.toString('base64') } satisfies Stored, { timeout: seconds });
    }
    return res;
  };
  wrapped.csrfExempt = inner.csrfExempt;
  wrapped.xframeOptionsExempt = inner.xframeOptionsExempt;
  return wrapped;
}
