// Messages middleware and API: messages.success(req, 'Saved.') now, shown by the next page that lists them.
import { ImproperlyConfigured } from '../../errors.js';
import type { Middleware } from '../../http/middleware.js';
import type { Request } from '../../http/request.js';
import type { ContextProcessor } from '../../templates/engine.js';
import { levels, Message, type Level } from './message.js';
import { SessionStorage, type MessageStorage } from './storage.js';

/** The request's messages: read by templates through req.messages, marked read when a template iterates them. */
class Mailbox {
  /** How many of `list` a template (or getMessages) has seen; later additions still wait for the next page. */
  shown = 0;
  readonly list: Message[];
  readonly view: Message[];

  constructor(loaded: Message[], readonly minLevel: Level) {
    this.list = [...loaded];
    // Iterating (or asking the length, as Nunjucks' for-loop does) is what counts as displaying them.
    this.view = new Proxy(this.list, {
      get: (target, prop, receiver) => {
        if (prop === 'length' || prop === Symbol.iterator) this.shown = target.length;
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
  }

  add(m: Message): void {
    if (m.level >= this.minLevel) this.list.push(m);
  }

  pending(): Message[] {
    return this.list.slice(this.shown);
  }
}

const BOX = Symbol('paddock.messages');

/** Where messages are kept, and the lowest level kept. */
export interface MessagesMiddlewareOptions {
  storage?: MessageStorage;
  /** MESSAGE_LEVEL: messages below it are dropped (default INFO). */
  level?: Level;
}

/** Loads the visitor's waiting messages into req.messages, and stores what is still unread after the view. */
export function messagesMiddleware(options: MessagesMiddlewareOptions = {}): Middleware {
  const storage = options.storage ?? new SessionStorage();
  return (getResponse) => async (req: Request) => {
    const box = new Mailbox(await storage.load(req), options.level ?? levels.INFO);
    (req.state as Record<symbol, unknown>)[BOX] = box;
    req.messages = box.view;
    const res = await getResponse(req);
    await storage.update(req, res, box.pending());
    return res;
  };
}

function box(req: Request): Mailbox {
  const b = (req.state as Record<symbol, unknown>)[BOX];
  if (!(b instanceof Mailbox)) throw new ImproperlyConfigured('No messages on this request. Add messagesMiddleware() to MIDDLEWARE (after sessionMiddleware()).');
  return b;
}

/** Adds a message for the visitor's next page shown. */
export function addMessage(req: Request, level: Level, message: string, extraTags = ''): void {
  box(req).add(new Message(level, message, extraTags));
}

/** {{ messages }}: this request's flash messages (messagesApp's context processor; empty without messagesMiddleware). */
export const messagesProcessor: ContextProcessor = (req) => ({ messages: req.messages ?? [] });

/** Messages for this request, marking them displayed. */
export function getMessages(req: Request): Message[] {
  const b = box(req);
  b.shown = b.list.length;
  return [...b.list];
}

/** Shortcuts by level: `messages.success(req, 'Saved.')`, `messages.error(req, '...')`. */
export const messages = {
  debug: (req: Request, m: string, tags?: string) => addMessage(req, levels.DEBUG, m, tags),
  info: (req: Request, m: string, tags?: string) => addMessage(req, levels.INFO, m, tags),
  success: (req: Request, m: string, tags?: string) => addMessage(req, levels.SUCCESS, m, tags),
  warning: (req: Request, m: string, tags?: string) => addMessage(req, levels.WARNING, m, tags),
  error: (req: Request, m: string, tags?: string) => addMessage(req, levels.ERROR, m, tags),
};
