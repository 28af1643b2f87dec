// The common middleware: APPEND_SLASH, redirecting '/posts' to '/posts/' when only the latter resolves.
import { hookMiddleware, type Middleware } from './middleware.js';
import type { Request } from './request.js';
import { Response } from './response.js';

export const commonMiddleware: Middleware = hookMiddleware('commonMiddleware', ({ settings }) => ({
  before(req: Request) {
    if (settings.APPEND_SLASH && req.resolverMatch === null && !req.path.endsWith('/')
      && (req.method === 'GET' || req.method === 'HEAD') && req.site.resolve(`${req.path}/`)) {
      // Collapse leading slashes: '//evil.example' must not become a protocol-relative redirect off-site.
      const rawPath = (req.url.split('?', 1)[0] as string).replace(/^[/\\]+/, '/');
      const qs = req.queryString;
      return new Response('', { status: 301, headers: { location: `${rawPath}/${qs ? `?${qs}` : ''}` } });
    }
    return undefined;
  },
}));
