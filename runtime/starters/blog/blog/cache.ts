// The list page's cache: whole pages in the site's 'default' cache (local memory, or the site's Redis when CACHE_URL
// is set), under a generation that every saved or deleted post moves on, so a new post shows at once, not after expiry.
import { randomUUID } from 'node:crypto';
import { currentSite, postDelete, postSave, type AnyModelClass, type Request, type Response, type ViewFunction } from '@paddock/runtime';
import { cachePage, cachesFor, type Cache } from '@paddock/runtime/cache';
import { Post } from './models.js';

/** How long a cached list page lives at most, in seconds. */
export const LIST_CACHE_SECONDS = 60;
export const GENERATION_KEY = 'blog.posts.generation';

function siteCache(settings = currentSite().settings): Cache {
  return cachesFor(settings).get('default');
}

/** Forgets every cached list page (all hosts and query strings at once): their keys carry the old generation. */
export async function postsChanged(): Promise<void> {
  await siteCache().set(GENERATION_KEY, randomUUID(), { timeout: null });
}

// Receivers are process-wide; the module is imported once per process, so they are connected once.
const sender = Post as unknown as AnyModelClass;
postSave.connect(postsChanged, { sender });
postDelete.connect(postsChanged, { sender });

/** cachePage keyed by the current generation of posts. */
export function cachedList(view: (req: Request) => Response | Promise<Response>, seconds = LIST_CACHE_SECONDS): ViewFunction {
  // Browsers must ask again each time (cachePage would say max-age=<seconds>): only the server's copy knows when a
  // post changed, and a writer going back to the list expects to see the post just published.
  const revalidated: ViewFunction = async (req) => {
    const res = await view(req);
    if (!res.hasHeader('cache-control')) res.setHeader('cache-control', 'max-age=0');
    return res;
  };
  return async (req, params) => {
    const generation = (await siteCache(req.site.settings).get<string>(GENERATION_KEY)) ?? '0';
    return cachePage(seconds, revalidated, { keyPrefix: `blog.index.${generation}` })(req, params);
  };
}
