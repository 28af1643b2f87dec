// The locale middleware (Django's LocaleMiddleware): picks the language of each request — the URL's language prefix
// (i18nPatterns), else the language cookie (set by setLanguage), else the browser's Accept-Language, each limited
// to LANGUAGES, else LANGUAGE_CODE — activates it for the request and says it in Content-Language.
import type { Middleware } from '../http/middleware.js';
import type { Request } from '../http/request.js';
import { Response } from '../http/response.js';
import { withLocaleScope } from './context.js';
import { normalizeLanguage, parseAcceptLanguage, supportedLanguageVariant, type LanguageList } from './languages.js';
import { activate } from './translation.js';

/** The language a path's prefix names ('/fr/about/' → 'fr') when the site offers it, or null. */
export function languageFromPath(path: string, languages: LanguageList): string | null {
  const m = /^\/([a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})*)(?:\/|$)/.exec(path);
  if (!m) return null;
  const code = normalizeLanguage(m[1] as string);
  return languages.some(([c]) => normalizeLanguage(c) === code) ? code : null;
}

/**
 * The language the visitor prefers among the site's (Django's get_language_from_request without the path): the
 * language cookie, else Accept-Language, else LANGUAGE_CODE's closest entry in LANGUAGES.
 */
export function languageFromRequest(req: Request): string {
  const s = req.site.settings;
  const cookie = req.cookies[s.LANGUAGE_COOKIE_NAME];
  if (cookie) {
    const lang = supportedLanguageVariant(cookie, s.LANGUAGES);
    if (lang) return lang;
  }
  const header = req.headers['accept-language'];
  for (const code of parseAcceptLanguage(typeof header === 'string' ? header : undefined)) {
    const lang = supportedLanguageVariant(code, s.LANGUAGES);
    if (lang) return lang;
  }
  return supportedLanguageVariant(s.LANGUAGE_CODE, s.LANGUAGES) ?? s.LANGUAGE_CODE;
}

/**
 * Put it after sessionMiddleware and before commonMiddleware when the site uses sessions; each request runs in its
 * own language scope. An unprefixed URL under i18nPatterns that is found only with the visitor's language prefix is
 * redirected there (/about/ → /fr/about/).
 */
export const localeMiddleware: Middleware = (getResponse, { settings }) => (req) => withLocaleScope(async () => {
  const match = req.resolverMatch;
  const fromPath = match ? match.language ?? null : languageFromPath(req.path, settings.LANGUAGES);
  const language = fromPath ?? languageFromRequest(req);
  activate(language);
  req.languageCode = language;
  const res = await getResponse(req);
  if (!fromPath) {
    if (res.status === 404 && (req.method === 'GET' || req.method === 'HEAD')) {
      const target = `/${language}${req.path}`;
      if (req.site.resolve(target)?.language === language) {
        const rawPath = `/${language}${(req.url.split('?', 1)[0] as string).replace(/^[/\\]+/, '/')}`;
        const redirect = new Response('', { status: 302, headers: { location: req.queryString ? `${rawPath}?${req.queryString}` : rawPath } });
        redirect.appendHeaderValue('vary', 'Accept-Language').appendHeaderValue('vary', 'Cookie');
        return redirect;
      }
    }
    // The same URL answers in different languages: caches must key on what chose it.
    res.appendHeaderValue('vary', 'Accept-Language').appendHeaderValue('vary', 'Cookie');
  }
  if (!res.hasHeader('content-language')) res.setHeader('content-language', language);
  return res;
}, { site: req.site });
Object.defineProperty(localeMiddleware, 'name', { value: 'localeMiddleware' });
