// A visitor's session (Django's SessionBase): data loaded lazily from a store by the key in the cookie, saved back
// when changed. The cookie holds only the key; keys the store does not know are never adopted (no fixation).
import { randomInt } from 'node:crypto';

/** Where sessions live: the database, the site's cache, ... Expiry is absolute (ms since the epoch). */
export interface SessionStore {
  load(key: string): Promise<{ data: Record<string, unknown>; expiresAt: number } | null>;
  /** mustCreate: fail (return false) if the key already exists, so two visitors can never share a new key. */
  save(key: string, data: Record<string, unknown>, expiresAt: number, mustCreate: boolean): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Removes expired sessions (clearsessions); stores that expire on their own do nothing. */
  clearExpired(): Promise<number>;
}

const KEY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** Django's length and alphabet: 32 characters from 36, about 165 bits. */
export const SESSION_KEY_LENGTH = 32;

/** A new random session key. */
export function newSessionKey(): string {
  let k = '';
  for (let i = 0; i < SESSION_KEY_LENGTH; i++) k += KEY_CHARS[randomInt(KEY_CHARS.length)];
  return k;
}

/** Whether a cookie's value has the form of a session key (anything else is ignored). */
export function isValidSessionKey(key: string | undefined): key is string {
  return typeof key === 'string' && key.length >= 8 && key.length <= 40 && /^[a-z0-9]+$/.test(key);
}

export interface SessionOptions {
  /** Seconds a session lives without activity (SESSION_COOKIE_AGE, default two weeks). */
  age?: number;
  /** Sessions end when the browser closes unless setExpiry says otherwise (SESSION_EXPIRE_AT_BROWSER_CLOSE). */
  expireAtBrowserClose?: boolean;
  /** Milliseconds since the epoch; tests inject a clock. */
  now?: () => number;
}

/** One visitor's session: values kept on the server under the key in their cookie (req.session, or getSession(req)). */
export class Session {
  readonly store: SessionStore;
  readonly age: number;
  /** Read or written during this request: the response varies by Cookie. */
  accessed = false;
  /** Needs saving. */
  modified = false;
  #key: string | null;
  #data: Record<string, unknown> | null = null;
  #expiry: number | null = null; // seconds from last modification; 0 = until the browser closes
  #deletedKeys: string[] = [];
  readonly #now: () => number;

  constructor(store: SessionStore, key: string | null, options: SessionOptions = {}) {
    this.store = store;
    this.#key = isValidSessionKey(key ?? undefined) ? key : null;
    this.age = options.age ?? 60 * 60 * 24 * 14;
    this.#now = options.now ?? Date.now;
    if (options.expireAtBrowserClose) this.#expiry = 0;
  }

  /** The key to put in the cookie, once the session was saved; null for a session never stored. */
  get sessionKey(): string | null {
    return this.#key;
  }

  async #load(): Promise<Record<string, unknown>> {
    this.accessed = true;
    if (this.#data) return this.#data;
    if (this.#key) {
      const loaded = await this.store.load(this.#key);
      if (loaded && loaded.expiresAt > this.#now()) {
        this.#data = loaded.data;
        const expiry = loaded.data._sessionExpiry;
        if (typeof expiry === 'number') this.#expiry = expiry;
        return this.#data;
      }
      // Unknown or expired: never reuse a key we did not issue (or that has lapsed); a fresh one comes on save.
      this.#key = null;
    }
    this.#data = {};
    return this.#data;
  }

  async get<T = unknown>(name: string): Promise<T | undefined> {
    return (await this.#load())[name] as T | undefined;
  }

  async set(name: string, value: unknown): Promise<void> {
    if (value === undefined) return this.delete(name);
    (await this.#load())[name] = value;
    this.modified = true;
  }

  async has(name: string): Promise<boolean> {
    return name in (await this.#load());
  }

  async delete(name: string): Promise<void> {
    const data = await this.#load();
    if (name in data) {
      delete data[name];
      this.modified = true;
    }
  }

  /** Reads a value and removes it. */
  async pop<T = unknown>(name: string): Promise<T | undefined> {
    const v = await this.get<T>(name);
    await this.delete(name);
    return v;
  }

  async keys(): Promise<string[]> {
    return Object.keys(await this.#load()).filter((k) => k !== '_sessionExpiry');
  }

  /** Does not load the session: an unread session with a key counts as not empty. */
  isEmpty(): boolean {
    if (!this.#data) return this.#key === null;
    return Object.keys(this.#data).every((k) => k === '_sessionExpiry');
  }

  /** Empties the session but keeps its key. */
  async clear(): Promise<void> {
    await this.#load();
    this.#data = {};
    this.modified = true;
  }

  /** Logout: deletes the stored session and forgets the key; the next save gets a new one. */
  async flush(): Promise<void> {
    await this.#load();
    if (this.#key) this.#deletedKeys.push(this.#key);
    this.#data = {};
    this.#key = null;
    this.#expiry = null;
    this.modified = true;
  }

  /** Login: same data under a new key, the old key deleted, so a key an attacker planted before login is worthless. */
  async cycleKey(): Promise<void> {
    await this.#load();
    if (this.#key) this.#deletedKeys.push(this.#key);
    this.#key = null;
    this.modified = true;
  }

  /** Seconds of inactivity before expiry; 0 ends the session when the browser closes; null restores the default. */
  async setExpiry(seconds: number | null): Promise<void> {
    const data = await this.#load();
    this.#expiry = seconds;
    if (seconds === null) delete data._sessionExpiry;
    else data._sessionExpiry = seconds;
    this.modified = true;
  }

  /** Seconds the session lives from now. */
  get expiryAge(): number {
    return this.#expiry === null || this.#expiry === 0 ? this.age : this.#expiry;
  }

  /** Ends when the browser closes (no Max-Age on the cookie). */
  get expiresAtBrowserClose(): boolean {
    return this.#expiry === 0;
  }

  /** Writes the session, creating a new key when it has none; removes keys dropped by cycleKey/flush. */
  async save(): Promise<void> {
    const data = await this.#load();
    const expiresAt = this.#now() + this.expiryAge * 1000;
    if (this.#key) {
      await this.store.save(this.#key, data, expiresAt, false);
    } else {
      for (let attempt = 0; ; attempt++) {
        const key = newSessionKey();
        if (await this.store.save(key, data, expiresAt, true)) {
          this.#key = key;
          break;
        }
        if (attempt > 10) throw new Error('Could not create a unique session key after 10 attempts; the session store is misbehaving.');
      }
    }
    await this.#dropOldKeys();
    this.modified = false;
  }

  /** Removes the stored session (after flush() on an empty session, nothing is saved back). */
  async deleteStored(): Promise<void> {
    if (this.#key) this.#deletedKeys.push(this.#key);
    this.#key = null;
    await this.#dropOldKeys();
  }

  async #dropOldKeys(): Promise<void> {
    const keys = this.#deletedKeys;
    this.#deletedKeys = [];
    await Promise.all(keys.map((k) => this.store.delete(k)));
  }
}
