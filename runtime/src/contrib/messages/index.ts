// The messages battery: one-time notices ("Saved.") carried to the next page through the session or a signed cookie.
export { Message, levels, type Level } from './message.js';
export { SessionStorage, CookieStorage, type MessageStorage } from './storage.js';
export { messagesMiddleware, addMessage, getMessages, messages, type MessagesMiddlewareOptions } from './middleware.js';
