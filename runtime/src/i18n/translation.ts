// Translation (Django's django.utils.translation): the active language, and gettext and its variants looking messages
// up in the site's catalogues. Messages use `{name}` placeholders, filled from `params` after translation, so a
// translator can move them: gettext('Welcome, {name}!', { name }) → 'Bienvenue, Ann !'.
import { CONTEXT_SEPARATOR, RUNTIME_LOCALE_DIR, catalogSet, type CatalogSet, type Translation } from './catalog.js';
import { activeSite, localeState, withLocaleScope } from './context.js';
import { checkLanguageCode, isBidi, normalizeLanguage } from './languages.js';
import { interpolate, LazyString } from './lazy.js';

type Params = Readonly<Record<string, unknown>>;

const FALLBACK_LANGUAGE = 'en-us';

// Per site, so a lookup costs no key building (clearCatalogs() empties the sets themselves).
const bySite = new WeakMap<object, CatalogSet>();

function catalogs(): CatalogSet {
  const site = activeSite();
  if (!site) return catalogSet([RUNTIME_LOCALE_DIR], FALLBACK_LANGUAGE);
  let set = bySite.get(site);
  if (!set) {
    set = catalogSet(site.localeDirs, site.settings.LANGUAGE_CODE);
    bySite.set(site, set);
  }
  return set;
}

/** The site's LANGUAGE_CODE ('en-us' before a site is loaded). */
export function defaultLanguage(): string {
  return normalizeLanguage(activeSite()?.settings.LANGUAGE_CODE ?? FALLBACK_LANGUAGE);
}

/** The active language: the one activated for this request (or process), else LANGUAGE_CODE. */
export function getLanguage(): string {
  return localeState().language ?? defaultLanguage();
}

/** Whether the active language is written right to left. */
export function getLanguageBidi(): boolean {
  return isBidi(getLanguage());
}

/**
 * Makes `language` the active one for the rest of the current request (under the locale middleware) or, outside a
 * request, for the process. ImproperlyConfigured for a string that is not a language code.
 */
export function activate(language: string): void {
  localeState().language = checkLanguageCode(language, 'activate():');
}

/** Back to LANGUAGE_CODE. */
export function deactivate(): void {
  localeState().language = null;
}

/** Runs `fn` with `language` active (null: LANGUAGE_CODE), then restores the language that was active. */
export function override<T>(language: string | null, fn: () => T): T {
  return withLocaleScope(fn, { language: language === null ? null : checkLanguageCode(language, 'override():') });
}

/** The active language's merged catalogue. */
export function activeTranslation(): Translation {
  return catalogs().translation(getLanguage());
}

function fill(text: string, params: Params | undefined): string {
  return params ? interpolate(text, params) : text;
}

/** `message` in the active language (itself when no catalogue translates it), `{name}` placeholders filled from `params`. */
export function gettext(message: string, params?: Params): string {
  return fill(activeTranslation().singular(message) ?? message, params);
}

/**
 * The form of a message for `count` things, in the active language's plural rules (English: singular for 1).
 * `{count}` is filled with the count: ngettext('{count} file', '{count} files', n).
 */
export function ngettext(singular: string, plural: string, count: number, params?: Params): string {
  const text = activeTranslation().plural(singular, count) ?? (count === 1 ? singular : plural);
  return interpolate(text, { count, ...params });
}

/** gettext with a context that tells apart the same words used differently: pgettext('month name', 'May'). */
export function pgettext(context: string, message: string, params?: Params): string {
  return fill(activeTranslation().singular(`${context}${CONTEXT_SEPARATOR}${message}`) ?? message, params);
}

/** ngettext with a context. */
export function npgettext(context: string, singular: string, plural: string, count: number, params?: Params): string {
  const text = activeTranslation().plural(`${context}${CONTEXT_SEPARATOR}${singular}`, count) ?? (count === 1 ? singular : plural);
  return interpolate(text, { count, ...params });
}

/** Marks a message for makemessages without translating it here (translate it later with gettext(variable)). */
export function gettextNoop(message: string): string {
  return message;
}

/**
 * gettext when the text is printed, not now: for messages declared at import time (model verbose names, form
 * labels, default error messages), which must show in the language of each request.
 */
export function gettextLazy(message: string, params?: Params): LazyString {
  return new LazyString((p) => gettext(message, p ? { ...params, ...p } : params));
}

/** pgettext when the text is printed. */
export function pgettextLazy(context: string, message: string, params?: Params): LazyString {
  return new LazyString((p) => pgettext(context, message, p ? { ...params, ...p } : params));
}

function countOf(count: number | string, params: Params | undefined): number {
  return typeof count === 'number' ? count : Number(params?.[count] ?? NaN);
}

/**
 * ngettext when the text is printed. `count` is a number, or the name of the parameter that will hold it when the
 * message is formatted: ngettextLazy('at most {max} character', 'at most {max} characters', 'max').format({ max }).
 */
export function ngettextLazy(singular: string, plural: string, count: number | string, params?: Params): LazyString {
  return new LazyString((p) => {
    const all = p ? { ...params, ...p } : params;
    return ngettext(singular, plural, countOf(count, all), all);
  });
}

/** npgettext when the text is printed (`count` as in ngettextLazy). */
export function npgettextLazy(context: string, singular: string, plural: string, count: number | string, params?: Params): LazyString {
  return new LazyString((p) => {
    const all = p ? { ...params, ...p } : params;
    return npgettext(context, singular, plural, countOf(count, all), all);
  });
}
