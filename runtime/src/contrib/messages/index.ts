// The messages battery: one-time notices ("Saved.") carried to the next page through the session or a signed cookie.
// Add messagesMiddleware() to MIDDLEWARE, and list `messagesApp` in the site's apps for {{ messages }} in templates.
import { app } from '../../site/define.js';
import { messagesProcessor } from './middleware.js';

/** The messages app: list it in defineSite({ apps }) for {{ messages }} in templates. */
export const messagesApp = app('messages', new URL('.', import.meta.url), { contextProcessors: [messagesProcessor] });

export { Message, levels, type Level } from './message.js';
export { SessionStorage, CookieStorage, type MessageStorage } from './storage.js';
export { messagesMiddleware, messagesProcessor, addMessage, getMessages, messages, type MessagesMiddlewareOptions } from './middleware.js';
