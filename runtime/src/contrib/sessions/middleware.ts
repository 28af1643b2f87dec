// Session middleware: puts req.session in place, and after the view saves it and sets (or deletes) the cookie.
import { cachesFor } from '../../cache/registry.js';
import { ImproperlyConfigured } from '../../errors.js';
import type { Middleware } from '../../http/middleware.js';
import type { Request } from '../../http/request.js';
import type { Settings } from '../../settings.js';
import { CacheSessionStore } from './backends/cache.js';
import { Session, type SessionStore } from './session.js';

export interface SessionMiddlewareOptions {
  /** Where sessions live; default: the site's 'default' cache (CACHES), or a store built from the settings. */
  store?: SessionStore | ((settings: Settings) => SessionStore);
  /** SESSION_COOKIE_NAME */
  cookieName?: string;
  /** SESSION_COOKIE_AGE, seconds (two weeks). */
  age?: number;
  cookieDomain?: string;
  cookiePath?: string;
  /** SESSION_COOKIE_SAMESITE */
  sameSite?: 'Lax' | 'Strict' | 'None';
  /** SESSION_SAVE_EVERY_REQUEST: refresh the expiry on every request, not only when the session changed. */
  saveEveryRequest?: boolean;
  /** SESSION_EXPIRE_AT_BROWSER_CLOSE */
  expireAtBrowserClose?: boolean;
  now?: () => number;
}

/** Gives each request a session (req.session), saves it after the view when it changed, and sets or deletes its cookie. */
export function sessionMiddleware(options: SessionMiddlewareOptions = {}): Middleware {
  const cookieName = options.cookieName ?? 'sessionid';
  const cookiePath = options.cookiePath ?? '/';
  return (getResponse, { settings }) => {
    const store = typeof options.store === 'function' ? options.store(settings)
      : options.store ?? new CacheSessionStore(cachesFor(settings).get('default'));
    return async (req: Request) => {
      const session = new Session(store, req.cookies[cookieName] ?? null,
        { age: options.age, now: options.now, expireAtBrowserClose: options.expireAtBrowserClose });
      req.session = session;
      const res = await getResponse(req);
      if (session.accessed) res.appendHeaderValue('vary', 'Cookie');
      const hadCookie = cookieName in req.cookies;
      if (session.isEmpty()) {
        // Logged out or emptied: remove the cookie and the stored session.
        if (hadCookie) {
          res.deleteCookie(cookieName, { path: cookiePath, domain: options.cookieDomain });
          await session.deleteStored();
        }
      } else if ((session.modified || options.saveEveryRequest) && res.status < 500) {
        await session.save();
        res.setCookie(cookieName, session.sessionKey as string, {
          maxAge: session.expiresAtBrowserClose ? undefined : session.expiryAge,
          path: cookiePath,
          domain: options.cookieDomain,
          secure: settings.SESSION_COOKIE_SECURE,
          httpOnly: settings.SESSION_COOKIE_HTTPONLY,
          sameSite: options.sameSite ?? 'Lax',
        });
      }
      return res;
    };
  };
}

/** The request's session; throws when sessionMiddleware is not installed. */
export function getSession(req: Request): Session {
  if (!(req.session instanceof Session)) {
    throw new ImproperlyConfigured('No session on this request. Add sessionMiddleware() to MIDDLEWARE (after the security middleware).');
  }
  return req.session;
}
