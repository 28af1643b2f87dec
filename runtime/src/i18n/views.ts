// The set_language view: a form posts `language` (and `next`); the choice is kept in the language cookie and the
// visitor goes back to `next` — in the new language's URL when `next` is under i18nPatterns.
import { isSafeRedirectUrl } from '../http/redirects.js';
import type { Request } from '../http/request.js';
import { redirect } from '../http/responses.js';
import type { Response } from '../http/response.js';
import type { ViewFunction } from '../urls/resolver.js';
import { supportedLanguageVariant } from './languages.js';

function safeNext(req: Request, value: string | null | undefined): string | null {
  const allowedHosts = [String(req.headers.host ?? '')];
  return value && isSafeRedirectUrl(value, { allowedHosts, requireHttps: req.isSecure }) ? value : null;
}

/** `url` (a path, maybe with a query) in `language`'s URL when it is under i18nPatterns; itself otherwise. */
export function translateUrl(req: Request, url: string, language: string): string {
  const absolute = /^https?:\/\/[^/]+/i.exec(url);
  if (absolute) return absolute[0] + translateUrl(req, url.slice(absolute[0].length) || '/', language);
  const q = url.search(/[?#]/);
  const path = q < 0 ? url : url.slice(0, q);
  const rest = q < 0 ? '' : url.slice(q);
  if (!path.startsWith('/')) return url;
  let match;
  try { match = req.site.resolve(decodeURI(path)); } catch { return url; }
  if (!match?.language) return url;
  const bare = match.language && path.startsWith(`/${match.language}/`) ? path.slice(match.language.length + 1) : path;
  for (const candidate of [`/${language}${bare}`, bare]) {
    let m;
    try { m = req.site.resolve(decodeURI(candidate)); } catch { continue; }
    if (m?.language === language) return candidate + rest;
  }
  return url;
}

/**
 * POST `language` (one of LANGUAGES) and `next`: sets the language cookie and redirects to `next` (else the
 * Referer, else '/'), translated to the new language's URL. Any other method, or an unknown language, only redirects.
 */
export const setLanguage: ViewFunction = (req: Request): Response => {
  const s = req.site.settings;
  const post = req.method === 'POST';
  let next = safeNext(req, post ? req.form.get('next') ?? req.query.get('next') : req.query.get('next'))
    ?? safeNext(req, typeof req.headers.referer === 'string' ? req.headers.referer : null) ?? '/';
  const wanted = post ? req.form.get('language') : null;
  const language = wanted ? supportedLanguageVariant(wanted, s.LANGUAGES, true) : null;
  if (!language) return redirect(next);
  next = translateUrl(req, next, language);
  const res = redirect(next);
  res.setCookie(s.LANGUAGE_COOKIE_NAME, language, {
    path: '/', sameSite: s.LANGUAGE_COOKIE_SAMESITE, secure: s.LANGUAGE_COOKIE_SECURE,
    ...(s.LANGUAGE_COOKIE_AGE === null ? {} : { maxAge: s.LANGUAGE_COOKIE_AGE }),
  });
  return res;
};
