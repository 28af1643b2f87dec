// Where the active language and time zone live: per request when the locale or time zone middleware runs (each
// request gets its own scope, so activate() in one request never shows in another), process-wide otherwise
// (commands, scripts, tests), as Django keeps them per thread.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Settings } from '../settings.js';
import { maybeCurrentSite } from '../site/current.js';

/** What translation needs of a site: its settings and where its catalogues are. */
export interface LocaleSite {
  readonly settings: Settings;
  readonly localeDirs: readonly string[];
}

export interface LocaleState {
  /** The active language code ('fr', 'pt-br'), or null for the site's LANGUAGE_CODE. */
  language: string | null;
  /** The active IANA time zone ('Europe/Paris'), or null for the site's TIME_ZONE. */
  timezone: string | null;
  /** The site the request is for (several sites can share a process in tests); null: the loaded site. */
  site: LocaleSite | null;
}

const storage = new AsyncLocalStorage<LocaleState>();
const processWide: LocaleState = { language: null, timezone: null, site: null };

/** The state activate() and activateTimezone() change: the current scope's, or the process-wide one. */
export function localeState(): LocaleState {
  return storage.getStore() ?? processWide;
}

/**
 * Runs `fn` in a scope of its own that starts from the current state; what `fn` activates ends with it.
 * Middleware use it around a request; override() and the {% language %} tag around their part.
 */
export function withLocaleScope<T>(fn: () => T, changes: Partial<LocaleState> = {}): T {
  const current = localeState();
  return storage.run({ language: current.language, timezone: current.timezone, site: current.site, ...changes }, fn);
}

/** The site whose settings and catalogues apply here: the request's, else the loaded one, else none. */
export function activeSite(): LocaleSite | null {
  return localeState().site ?? maybeCurrentSite();
}

/** Whether a request scope (or an override) is active, for middleware that opens one only once. */
export function inLocaleScope(): boolean {
  return storage.getStore() !== undefined;
}
