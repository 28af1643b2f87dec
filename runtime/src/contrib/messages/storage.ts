// Where pending messages wait between requests: the session (default) or a signed cookie when there is no session.
import type { Request } from '../../http/request.js';
import type { Response } from '../../http/response.js';
import { BadSignature } from '../../errors.js';
import { Signer } from '../../signing/signer.js';
import { Session } from '../sessions/session.js';
import { Message } from './message.js';

/** Where messages wait for the next page: the session, or a signed cookie. */
export interface MessageStorage {
  load(req: Request): Promise<Message[]>;
  /** Stores what is still unread (or clears storage when nothing is). */
  update(req: Request, res: Response, pending: readonly Message[]): Promise<void>;
}

const SESSION_KEY = '_messages';

/** Messages kept in the session (the default; needs sessionMiddleware before messagesMiddleware). */
export class SessionStorage implements MessageStorage {
  #session(req: Request): Session {
    if (!(req.session instanceof Session)) {
      throw new Error('Session message storage needs sessionMiddleware() before messagesMiddleware() in MIDDLEWARE.');
    }
    return req.session;
  }

  async load(req: Request): Promise<Message[]> {
    const session = this.#session(req);
    // Don't load (or create) a session just to learn it has no messages: only sessions that exist are read.
    if (session.isEmpty()) return [];
    const raw = await session.get<unknown[]>(SESSION_KEY);
    return Array.isArray(raw) ? raw.map(Message.fromJSON).filter((m): m is Message => m !== null) : [];
  }

  async update(req: Request, _res: Response, pending: readonly Message[]): Promise<void> {
    const session = this.#session(req);
    if (pending.length) await session.set(SESSION_KEY, pending.map((m) => m.toJSON()));
    else if (!session.isEmpty() && await session.has(SESSION_KEY)) await session.delete(SESSION_KEY);
  }
}

/** Signed with the site's SECRET_KEY so that visitors cannot forge messages (which templates trust as the site's words). */
export class CookieStorage implements MessageStorage {
  readonly cookieName = 'messages';

  #signer(req: Request): Signer {
    return new Signer({ key: req.site.settings.SECRET_KEY, salt: 'paddock.contrib.messages' });
  }

  async load(req: Request): Promise<Message[]> {
    const raw = req.cookies[this.cookieName];
    if (!raw) return [];
    try {
      const list = this.#signer(req).unsignObject<unknown[]>(raw);
      return Array.isArray(list) ? list.map(Message.fromJSON).filter((m): m is Message => m !== null) : [];
    } catch (e) {
      if (e instanceof BadSignature || e instanceof SyntaxError) return [];
      throw e;
    }
  }

  async update(req: Request, res: Response, pending: readonly Message[]): Promise<void> {
    if (pending.length) {
      res.setCookie(this.cookieName, this.#signer(req).signObject(pending.map((m) => m.toJSON()), { compress: true }), {
        path: '/', httpOnly: true, sameSite: 'Lax', secure: req.site.settings.SESSION_COOKIE_SECURE,
      });
    } else if (this.cookieName in req.cookies) {
      res.deleteCookie(this.cookieName);
    }
  }
}
