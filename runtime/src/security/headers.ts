// The security middleware: SSL redirect, HSTS, nosniff, Referrer-Policy and COOP on every response.
import { hookMiddleware, type Middleware } from '../http/middleware.js';
import type { Request } from '../http/request.js';
import { Response } from '../http/response.js';
import type { Settings } from '../settings.js';

/** Adds the headers that do not depend on the view; also used for responses made outside the chain (400 bad Host, 413). */
export function applySecurityHeaders(res: Response, settings: Settings, secure: boolean): void {
  const h = res.headers;
  if (settings.SECURE_CONTENT_TYPE_NOSNIFF && !('x-content-type-options' in h)) h['x-content-type-options'] = 'nosniff';
  if (settings.SECURE_REFERRER_POLICY && !('referrer-policy' in h)) h['referrer-policy'] = settings.SECURE_REFERRER_POLICY;
  if (settings.SECURE_CROSS_ORIGIN_OPENER_POLICY && !('cross-origin-opener-policy' in h)) {
    h['cross-origin-opener-policy'] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY;
  }
  if (secure && settings.SECURE_HSTS_SECONDS > 0 && !('strict-transport-security' in h)) {
    let v = `max-age=${settings.SECURE_HSTS_SECONDS}`;
    if (settings.SECURE_HSTS_INCLUDE_SUBDOMAINS) v += '; includeSubDomains';
    if (settings.SECURE_HSTS_PRELOAD) v += '; preload';
    h['strict-transport-security'] = v;
  }
}

export const securityMiddleware: Middleware = hookMiddleware('securityMiddleware', ({ settings }) => ({
  before(req: Request) {
    if (!settings.SECURE_SSL_REDIRECT || req.isSecure) return undefined;
    const res = new Response('', { status: 301, headers: { location: `https://${req.host}${req.url}` } });
    applySecurityHeaders(res, settings, false);
    return res;
  },
  after(req: Request, res: Response) {
    // isSecure only matters for HSTS; skip reading the proxy header when HSTS is off.
    applySecurityHeaders(res, settings, settings.SECURE_HSTS_SECONDS > 0 && req.isSecure);
  },
}));

/** X-Frame-Options on every response unless the view or the response opts out (xframeOptionsExempt). */
export const clickjackingMiddleware: Middleware = hookMiddleware('clickjackingMiddleware', ({ settings }) => ({
  after(req: Request, res: Response) {
    if (res.xframeOptionsExempt || req.resolverMatch?.view.xframeOptionsExempt) return;
    if (!('x-frame-options' in res.headers)) res.headers['x-frame-options'] = settings.X_FRAME_OPTIONS;
  },
}));
