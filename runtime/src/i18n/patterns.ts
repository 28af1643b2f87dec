// i18nPatterns(): URL patterns answered under a language prefix (Django's i18n_patterns), so each language has its
// own URLs: /fr/about/, /de/about/. The locale middleware activates the language the path names, and reverse()
// writes the active language's prefix.
import type { URLEntry, URLInclude } from '../urls/patterns.js';

export interface I18nPatternsOptions {
  /**
   * Default true: every language has its prefix (/en/about/). false: the default language (LANGUAGE_CODE) answers
   * without one (/about/) and only the others are prefixed.
   */
  prefixDefaultLanguage?: boolean;
}

/** Patterns under the active language's prefix; list it in the site's own URL list (not inside include()). */
export function i18nPatterns(patterns: readonly URLEntry[] | { default: readonly URLEntry[] }, options: I18nPatternsOptions = {}): URLInclude {
  const list = Array.isArray(patterns) ? patterns : (patterns as { default: readonly URLEntry[] }).default;
  return { kind: 'include', prefix: '', patterns: list, namespace: undefined, locale: { prefixDefaultLanguage: options.prefixDefaultLanguage ?? true } };
}
