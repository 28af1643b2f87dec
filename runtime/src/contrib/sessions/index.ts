// The sessions battery: server-side sessions keyed by a cookie, in the site's cache or its database.
export { Session, newSessionKey, isValidSessionKey, SESSION_KEY_LENGTH, type SessionStore, type SessionOptions } from './session.js';
export { CacheSessionStore } from './backends/cache.js';
export { sessionMiddleware, getSession, type SessionMiddlewareOptions } from './middleware.js';
