// The sessions battery: server-side sessions keyed by a cookie, in the site's cache or its database. List
// `sessionsApp` in the site's apps for the database store (its table) and the clearsessions command.
import { app } from '../../site/define.js';

export { Session, newSessionKey, isValidSessionKey, SESSION_KEY_LENGTH, type SessionStore, type SessionOptions } from './session.js';
export { CacheSessionStore } from './backends/cache.js';
export { sessionMiddleware, getSession, type SessionMiddlewareOptions } from './middleware.js';
export { DatabaseSessionStore } from './backends/db.js';
export { SessionRecord, type SessionRecordInstance } from './models.js';

/** The sessions app: list it in defineSite({ apps }) for DatabaseSessionStore's table and the clearsessions command. */
export const sessionsApp = app('sessions', new URL('.', import.meta.url), {
  commands: { clearsessions: () => import('./commands/clearsessions.js') },
});
