// @paddock/runtime/i18n: translation (gettext and its variants, lazy text), the active language, catalogues and
// their commands' building blocks, language-prefixed URLs, the locale middleware and set_language view, and
// locale-aware formatting of dates and numbers. Time zones are in @paddock/runtime/timezone.
export {
  gettext, ngettext, pgettext, npgettext, gettextNoop, gettextLazy, ngettextLazy, pgettextLazy, npgettextLazy,
  activate, deactivate, override, getLanguage, getLanguageBidi, defaultLanguage,
} from './translation.js';
export { LazyString, isLazy, resolveText, interpolate, type Translatable } from './lazy.js';
export {
  normalizeLanguage, toLocaleName, languageInfo, supportedLanguageVariant, parseAcceptLanguage,
  type LanguageInfo, type LanguageList,
} from './languages.js';
export { clearCatalogs, pluralFunction, catalogFile, DOMAIN, type CompiledCatalog } from './catalog.js';
export { i18nPatterns, type I18nPatternsOptions } from './patterns.js';
export { localeMiddleware, languageFromRequest, languageFromPath } from './middleware.js';
export { setLanguage, translateUrl } from './views.js';
export { i18nProcessor } from './processor.js';
export { formatDate, formatNumber, ZonedDate, type DateFormat, type DateStyle } from './formats.js';
