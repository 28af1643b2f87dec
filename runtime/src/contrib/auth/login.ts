// Authentication: checking credentials (upgrading old hashes, throttling, no user enumeration by timing), logging
// a user into the session (new session key: no fixation) and out, and the middleware that sets req.user.
import { ImproperlyConfigured, ThrottledError } from '../../errors.js';
import type { Middleware } from '../../http/middleware.js';
import type { Request } from '../../http/request.js';
import type { ContextProcessor } from '../../templates/engine.js';
import { cachesFor } from '../../cache/registry.js';
import { rotateCsrfToken } from '../../security/csrf.js';
import { constantTimeEqual, saltedHmac } from '../../signing/signer.js';
import { Session } from '../sessions/session.js';
import { authSettings } from './config.js';
import { User, type UserInstance } from './models.js';
import { LoginThrottle } from './throttle.js';

const SESSION_USER_ID = '_auth_user_id';
const SESSION_HASH = '_auth_user_hash';

/** The user of a request nobody is logged into (req.user after authMiddleware, {{ user }} in templates). */
export const ANONYMOUS_USER = Object.freeze({ isAuthenticated: false, isAnonymous: true, username: '' });
export type AnonymousUser = typeof ANONYMOUS_USER;
export { ThrottledError };

/** {{ user }}: the signed-in user set by authMiddleware, or the anonymous user (authApp's context processor). */
export const authProcessor: ContextProcessor = (req) => ({ user: req.user ?? ANONYMOUS_USER });

export function isAuthenticated(user: unknown): user is UserInstance {
  return typeof user === 'object' && user !== null && (user as { isAuthenticated?: unknown }).isAuthenticated === true;
}

/** The signed-in user of this request, or undefined. */
export function currentUser(req: Request): UserInstance | undefined {
  return isAuthenticated(req.user) ? req.user : undefined;
}

function session(req: Request): Session {
  if (!(req.session instanceof Session)) {
    throw new ImproperlyConfigured('Auth needs sessions: add sessionMiddleware() before authMiddleware() in MIDDLEWARE.');
  }
  return req.session;
}

/** Ties a session to the password it was made with: changing the password logs out every other session. */
export function sessionAuthHash(user: UserInstance, secret: string): string {
  return saltedHmac('paddock.contrib.auth.sessionAuthHash', user.password, secret).toString('hex');
}

export interface AuthenticateOptions {
  /** Counts failures per account and address; without it nothing is throttled. */
  throttle?: LoginThrottle;
  /** The client address for throttling. */
  address?: string;
}

/**
 * The active user with these credentials, or null. A stored hash from an older hasher (or with fewer iterations)
 * is replaced by the preferred one on success. Throws ThrottledError when too many attempts failed recently.
 */
export async function authenticate(username: string, password: string, options: AuthenticateOptions = {}): Promise<UserInstance | null> {
  const { hashers } = authSettings();
  const address = options.address ?? '';
  if (options.throttle) {
    const state = await options.throttle.check(username, address);
    if (!state.allowed) throw new ThrottledError(state.retryAfter);
  }
  const user = await User.objects.filter({ username }).first();
  let ok = false;
  if (!user) {
    // As slow as a real check, so response times do not reveal which usernames exist.
    await hashers.dummyCheck(password);
  } else {
    ok = await hashers.checkAndUpgrade(password, user.password, async (encoded) => {
      user.password = encoded;
      await User.objects.filter({ id: user.id }).update({ password: encoded });
    });
  }
  if (!ok || !user || !user.isActive) {
    await options.throttle?.recordFailure(username, address);
    return null;
  }
  await options.throttle?.recordSuccess(username);
  return user;
}

/** A throttle on the site's default cache with the configured limits. */
export function siteThrottle(req: Request): LoginThrottle {
  return new LoginThrottle(cachesFor(req.site.settings).get('default'), authSettings().throttle);
}

export async function login(req: Request, user: UserInstance): Promise<void> {
  const s = session(req);
  const previous = await s.get<number>(SESSION_USER_ID);
  // Always a new key at login; a different user also gets none of the previous visitor's data.
  if (previous !== undefined && previous !== user.id) await s.flush();
  else await s.cycleKey();
  await s.set(SESSION_USER_ID, user.id);
  await s.set(SESSION_HASH, sessionAuthHash(user, req.site.settings.SECRET_KEY));
  // A CSRF token someone planted or read before the login is worthless after it (Django rotates it here too).
  rotateCsrfToken(req);
  user.lastLogin = new Date();
  await User.objects.filter({ id: user.id }).update({ lastLogin: user.lastLogin });
  req.user = user;
}

export async function logout(req: Request): Promise<void> {
  await session(req).flush();
  req.user = ANONYMOUS_USER;
}

/** After a password change: keep this session logged in (others are logged out by the new hash). */
export async function updateSessionAuthHash(req: Request, user: UserInstance): Promise<void> {
  const s = session(req);
  await s.cycleKey();
  await s.set(SESSION_HASH, sessionAuthHash(user, req.site.settings.SECRET_KEY));
}

/** Sets req.user from the session: the user, or the anonymous user. Needs sessionMiddleware() before it. */
export function authMiddleware(): Middleware {
  return (getResponse, { settings }) => async (req: Request) => {
    req.user = ANONYMOUS_USER;
    const s = session(req);
    if (!s.isEmpty()) {
      const id = await s.get<number>(SESSION_USER_ID);
      if (typeof id === 'number') {
        const user = await User.objects.filter({ id, isActive: true }).first();
        const hash = await s.get<string>(SESSION_HASH);
        if (user && typeof hash === 'string' && constantTimeEqual(hash, sessionAuthHash(user, settings.SECRET_KEY))) {
          req.user = user;
        } else if (user || hash !== undefined) {
          // Password changed elsewhere, or user deactivated or deleted: this session is over.
          await s.flush();
        }
      }
    }
    return getResponse(req);
  };
}
