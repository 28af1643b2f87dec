// Language codes: the site's form ('pt-br', lower case, as in LANGUAGES), catalogue folder names ('pt_BR'), what
// Intl takes ('pt-BR'), and choosing among the site's LANGUAGES from what a visitor asks for (Accept-Language).
import { ImproperlyConfigured } from '../errors.js';

/** 'pt_BR', 'PT-br' → 'pt-br': the form LANGUAGE_CODE, LANGUAGES and request.languageCode use. */
export function normalizeLanguage(code: string): string {
  return code.trim().replace(/_/g, '-').toLowerCase();
}

/** 'pt-br' → 'pt_BR', 'zh-hans' → 'zh_Hans': the folder name of a catalogue (locale/<this>/LC_MESSAGES/). */
export function toLocaleName(code: string): string {
  const [lang = '', ...rest] = normalizeLanguage(code).split('-');
  return [lang, ...rest.map((p) => (p.length === 2 ? p.toUpperCase() : p.length === 4 ? p.charAt(0).toUpperCase() + p.slice(1) : p))].join('_');
}

const canonical = new Map<string, string | null>();

/** The BCP 47 tag Intl takes ('en-us' → 'en-US'), or null for a code that is not one. */
export function intlLocale(code: string): string | null {
  let tag = canonical.get(code);
  if (tag !== undefined) return tag;
  try {
    tag = Intl.getCanonicalLocales(normalizeLanguage(code))[0] ?? null;
  } catch {
    tag = null;
  }
  canonical.set(code, tag);
  return tag;
}

/** Checks a LANGUAGE_CODE or LANGUAGES entry at boot: ImproperlyConfigured names the bad code. */
export function checkLanguageCode(code: string, where: string): string {
  if (typeof code !== 'string' || !/^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$/.test(code) || intlLocale(code) === null) {
    throw new ImproperlyConfigured(`${where} '${String(code)}' is not a language code. Use codes such as 'en', 'fr', 'de-at' or 'pt-br'.`);
  }
  return normalizeLanguage(code);
}

/** The languages a site offers, as [code, name] pairs; names are shown to people (e.g. in a language menu). */
export type LanguageList = ReadonlyArray<readonly [code: string, name: string]>;

/**
 * The site's language for `code`: the code itself when offered, else its generic language ('de-at' → 'de'), else
 * (unless `strict`) a variant of it ('de' → 'de-ch'). Null when the site offers nothing close.
 */
export function supportedLanguageVariant(code: string, languages: LanguageList, strict = false): string | null {
  const wanted = normalizeLanguage(code);
  const offered = languages.map(([c]) => normalizeLanguage(c));
  if (offered.includes(wanted)) return wanted;
  const generic = wanted.split('-')[0] as string;
  if (offered.includes(generic)) return generic;
  if (strict) return null;
  return offered.find((c) => c.startsWith(`${generic}-`)) ?? null;
}

/** Longer headers are ignored rather than parsed (Django's ACCEPT_LANGUAGE_HEADER_MAX_LENGTH). */
const ACCEPT_LANGUAGE_MAX = 500;

/** An Accept-Language header's languages, most wanted first ('*' and q=0 left out). */
export function parseAcceptLanguage(header: string | undefined): string[] {
  if (!header || header.length > ACCEPT_LANGUAGE_MAX) return [];
  const out: Array<{ code: string; q: number; i: number }> = [];
  header.split(',').forEach((part, i) => {
    const [tag = '', ...params] = part.trim().split(';');
    const code = tag.trim();
    if (!code || code === '*' || !/^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/.test(code)) return;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/.exec(p);
      if (m) q = Number(m[1]);
    }
    if (q > 0) out.push({ code: normalizeLanguage(code), q, i });
  });
  return out.sort((a, b) => b.q - a.q || a.i - b.i).map((x) => x.code);
}

export interface LanguageInfo {
  code: string;
  /** The name in LANGUAGES (or in English). */
  name: string;
  /** The name in the language itself ('français'), for a language menu. */
  nameLocal: string;
  /** Right-to-left script (Arabic, Hebrew, Persian, ...). */
  bidi: boolean;
}

const RTL = new Set(['ar', 'dv', 'fa', 'he', 'ks', 'ku', 'ps', 'sd', 'ug', 'ur', 'yi']);

/** Whether `code` is written right to left. */
export function isBidi(code: string): boolean {
  return RTL.has(normalizeLanguage(code).split('-')[0] as string);
}

function displayName(code: string, inLanguage: string): string {
  try {
    return new Intl.DisplayNames([intlLocale(inLanguage) ?? 'en'], { type: 'language' }).of(intlLocale(code) ?? code) ?? code;
  } catch {
    return code;
  }
}

/** What a language menu needs to know about `code` (Django's get_language_info). */
export function languageInfo(code: string, languages: LanguageList = []): LanguageInfo {
  const c = normalizeLanguage(code);
  const listed = languages.find(([l]) => normalizeLanguage(l) === c);
  return {
    code: c,
    name: listed ? String(listed[1]) : displayName(c, 'en'),
    nameLocal: displayName(c, c),
    bidi: isBidi(c),
  };
}
