// The visitor's time zone: a middleware that activates it for each request (from your own source, such as the user's
// profile, else the time zone cookie, else TIME_ZONE), and the set_timezone view that stores a choice in the cookie.
import { isSafeRedirectUrl } from '../http/redirects.js';
import type { Middleware } from '../http/middleware.js';
import type { Request } from '../http/request.js';
import { redirect } from '../http/responses.js';
import type { Response } from '../http/response.js';
import { withLocaleScope } from '../i18n/context.js';
import type { ViewFunction } from '../urls/resolver.js';
import { activateTimezone, timezoneName } from './timezone.js';

export interface TimezoneMiddlewareOptions {
  /** The visitor's zone from elsewhere (e.g. `req.user`'s profile), tried before the cookie; null/undefined for none. */
  fromRequest?: (req: Request) => string | null | undefined | Promise<string | null | undefined>;
}

/** The zone a request asks for, if it names a real one: `fromRequest`, then the TIME_ZONE_COOKIE_NAME cookie. */
async function requestedZone(req: Request, options: TimezoneMiddlewareOptions): Promise<string | null> {
  const own = options.fromRequest ? await options.fromRequest(req) : null;
  if (own && timezoneName(own)) return own;
  const cookie = req.cookies[req.site.settings.TIME_ZONE_COOKIE_NAME];
  return cookie && timezoneName(cookie) ? cookie : null;
}

/**
 * Activates the visitor's time zone for the request (dates in templates and forms are shown and read in it). Put
 * it after authMiddleware when `fromRequest` reads the user.
 */
export function timezoneMiddleware(options: TimezoneMiddlewareOptions = {}): Middleware {
  const mw: Middleware = (getResponse) => (req) => withLocaleScope(async () => {
    const zone = await requestedZone(req, options);
    if (zone) activateTimezone(zone);
    const res = await getResponse(req);
    // The page depends on the cookie; tell caches.
    res.appendHeaderValue('vary', 'Cookie');
    return res;
  }, { site: req.site });
  Object.defineProperty(mw, 'name', { value: 'timezoneMiddleware' });
  return mw;
}

/**
 * POST `timezone` (an IANA name, e.g. from the browser's Intl.DateTimeFormat().resolvedOptions().timeZone) and
 * `next`: keeps it in the time zone cookie and redirects to `next` (else the Referer, else '/'). An unknown zone
 * or another method only redirects.
 */
export const setTimezone: ViewFunction = (req: Request): Response => {
  const s = req.site.settings;
  const post = req.method === 'POST';
  const safe = (v: string | null | undefined) => (v && isSafeRedirectUrl(v, { allowedHosts: [String(req.headers.host ?? '')], requireHttps: req.isSecure }) ? v : null);
  const next = safe(post ? req.form.get('next') ?? req.query.get('next') : req.query.get('next'))
    ?? safe(typeof req.headers.referer === 'string' ? req.headers.referer : null) ?? '/';
  const wanted = post ? req.form.get('timezone') : null;
  const zone = wanted ? timezoneName(wanted) : null;
  const res = redirect(next);
  if (zone) res.setCookie(s.TIME_ZONE_COOKIE_NAME, zone, { path: '/', sameSite: 'Lax', secure: s.LANGUAGE_COOKIE_SECURE, maxAge: 365 * 24 * 3600 });
  return res;
};
