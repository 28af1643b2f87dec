// {{ LANGUAGE_CODE }}, {{ LANGUAGES }}, {{ LANGUAGE_BIDI }} and {{ TIME_ZONE }} in every template rendered with a
// request (Django's i18n and tz context processors), e.g. <html lang="{{ LANGUAGE_CODE }}">.
import type { ContextProcessor } from '../templates/engine.js';
import { getCurrentTimezone } from '../timezone/timezone.js';
import { getLanguage, getLanguageBidi } from './translation.js';

export const i18nProcessor: ContextProcessor = (req) => ({
  LANGUAGE_CODE: getLanguage(),
  LANGUAGES: req.site.settings.LANGUAGES,
  LANGUAGE_BIDI: getLanguageBidi(),
  TIME_ZONE: getCurrentTimezone(),
});
