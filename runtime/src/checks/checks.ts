// System checks with stable IDs: what is misconfigured now, and (--deploy) what a production site lacks.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sourceHash, type CompiledCatalog } from '../i18n/catalog.js';
import { supportedLanguageVariant } from '../i18n/languages.js';
import { csrfMiddleware } from '../security/csrf.js';
import { clickjackingMiddleware, securityMiddleware } from '../security/headers.js';
import type { Site } from '../site/site.js';

export type CheckLevel = 'error' | 'warning' | 'info';

export interface CheckMessage {
  readonly id: string;
  readonly level: CheckLevel;
  readonly msg: string;
  readonly hint?: string;
}

/** Django's own IDs where the check is Django's, so the messages are searchable. */
export const CHECK_IDS = {
  NO_SECURITY_MIDDLEWARE: 'security.W001',
  NO_CLICKJACKING_MIDDLEWARE: 'security.W002',
  NO_CSRF_MIDDLEWARE: 'security.W003',
  HSTS_UNSET: 'security.W004',
  HSTS_NO_SUBDOMAINS: 'security.W005',
  NO_SSL_REDIRECT: 'security.W008',
  WEAK_SECRET_KEY: 'security.W009',
  SESSION_COOKIE_INSECURE: 'security.W012',
  CSRF_COOKIE_INSECURE: 'security.W016',
  DEBUG_ON: 'security.W018',
  NO_ALLOWED_HOSTS: 'security.W020',
  APP_DIR_MISSING: 'apps.E001',
  DUPLICATE_APP_URL_NAME: 'urls.W001',
  TEMPLATE_DIR_MISSING: 'templates.W001',
  STATICFILES_DIR_MISSING: 'staticfiles.W004',
  LANGUAGE_CODE_NOT_IN_LANGUAGES: 'translation.E004',
  CATALOG_NOT_COMPILED: 'translation.W001',
} as const;

const W = (id: string, msg: string, hint?: string): CheckMessage => ({ id, level: 'warning', msg, ...(hint ? { hint } : {}) });

export function isWeakSecretKey(key: string): boolean {
  return key.length < 50 || new Set(key).size < 5 || key.startsWith('insecure-') || key.startsWith('django-insecure-');
}

/** The hash of the .po a compiled catalogue was made from ('' when it is missing or unreadable). */
function compiledFrom(json: string): string {
  try {
    return (JSON.parse(readFileSync(json, 'utf8')) as CompiledCatalog).source ?? '';
  } catch {
    return '';
  }
}

export function runChecks(site: Site, opts: { deploy?: boolean } = {}): CheckMessage[] {
  const s = site.settings;
  const out: CheckMessage[] = [];
  for (const app of site.apps) {
    if (!existsSync(app.dir)) {
      out.push({ id: CHECK_IDS.APP_DIR_MISSING, level: 'error', msg: `App '${app.label}' has no folder at ${app.dir}.`, hint: 'Create the folder or remove the app from defineSite({ apps }).' });
    }
  }
  const seen = new Set<string>();
  for (const name of site.resolver.names) {
    if (seen.has(name)) out.push(W(CHECK_IDS.DUPLICATE_APP_URL_NAME, `URL name '${name}' is used by more than one pattern; reverse() picks by parameters.`, 'Give each pattern its own name unless that is intended.'));
    seen.add(name);
  }
  for (const d of s.TEMPLATES.flatMap((t) => t.DIRS)) {
    // The conventional site-level templates/ folder is optional.
    if (d !== 'templates' && !existsSync(resolve(site.dir, d))) out.push(W(CHECK_IDS.TEMPLATE_DIR_MISSING, `TEMPLATES.DIRS lists ${d}, which does not exist.`));
  }
  for (const d of s.STATICFILES_DIRS) {
    if (!existsSync(resolve(site.dir, d))) out.push(W(CHECK_IDS.STATICFILES_DIR_MISSING, `STATICFILES_DIRS lists ${d}, which does not exist.`));
  }
  if (!supportedLanguageVariant(s.LANGUAGE_CODE, s.LANGUAGES)) {
    out.push({ id: CHECK_IDS.LANGUAGE_CODE_NOT_IN_LANGUAGES, level: 'error', msg: `LANGUAGE_CODE '${s.LANGUAGE_CODE}' is not in LANGUAGES (${s.LANGUAGES.map(([c]) => c).join(', ')}).`,
      hint: 'Add it to LANGUAGES, or set LANGUAGE_CODE to one of them.' });
  }
  for (const dir of site.localeDirs) {
    if (!existsSync(dir)) continue;
    for (const lang of readdirSync(dir)) {
      const po = join(dir, lang, 'LC_MESSAGES', 'messages.po');
      const json = join(dir, lang, 'LC_MESSAGES', 'messages.json');
      if (existsSync(po) && compiledFrom(json) !== sourceHash(readFileSync(po))) {
        out.push(W(CHECK_IDS.CATALOG_NOT_COMPILED, `${po} has changed since it was compiled: the site does not use the new translations yet.`,
          'Run `paddock-runtime compilemessages` and commit the messages.json it writes.'));
      }
    }
  }
  if (!opts.deploy) return out;

  const mw = s.MIDDLEWARE;
  if (!mw.includes(securityMiddleware)) {
    out.push(W(CHECK_IDS.NO_SECURITY_MIDDLEWARE, 'securityMiddleware is not in MIDDLEWARE, so nosniff, Referrer-Policy, COOP, HSTS and SSL redirect are off.', 'Keep securityMiddleware first in MIDDLEWARE.'));
  }
  if (!mw.includes(clickjackingMiddleware)) {
    out.push(W(CHECK_IDS.NO_CLICKJACKING_MIDDLEWARE, 'clickjackingMiddleware is not in MIDDLEWARE, so pages can be framed by other sites.', 'Add clickjackingMiddleware to MIDDLEWARE.'));
  }
  if (!mw.includes(csrfMiddleware)) {
    out.push(W(CHECK_IDS.NO_CSRF_MIDDLEWARE, 'csrfMiddleware is not in MIDDLEWARE, so forms are open to cross-site request forgery.', 'Add csrfMiddleware to MIDDLEWARE.'));
  }
  if (s.SECURE_HSTS_SECONDS <= 0) {
    out.push(W(CHECK_IDS.HSTS_UNSET, 'SECURE_HSTS_SECONDS is not set: browsers may keep talking to this site over plain http.', 'Set SECURE_HSTS_SECONDS (start small, e.g. 3600, then 31536000) once the site is https-only.'));
  } else if (!s.SECURE_HSTS_INCLUDE_SUBDOMAINS) {
    out.push(W(CHECK_IDS.HSTS_NO_SUBDOMAINS, 'SECURE_HSTS_INCLUDE_SUBDOMAINS is off: subdomains are not covered by HSTS.', 'Set it to true if every subdomain serves https.'));
  }
  if (!s.SECURE_SSL_REDIRECT) {
    out.push(W(CHECK_IDS.NO_SSL_REDIRECT, 'SECURE_SSL_REDIRECT is off: plain http requests are answered instead of redirected to https.', 'Set SECURE_SSL_REDIRECT: true (and SECURE_PROXY_SSL_HEADER behind the edge proxy).'));
  }
  if (isWeakSecretKey(s.SECRET_KEY)) {
    out.push(W(CHECK_IDS.WEAK_SECRET_KEY, 'SECRET_KEY is missing, shorter than 50 characters, has fewer than 5 distinct characters, or is marked insecure.', 'Set a long random SECRET_KEY env var (the platform generates one per site).'));
  }
  if (!s.SESSION_COOKIE_SECURE) {
    out.push(W(CHECK_IDS.SESSION_COOKIE_INSECURE, 'SESSION_COOKIE_SECURE is off: session cookies can leak over plain http.', 'Set SESSION_COOKIE_SECURE: true.'));
  }
  if (!s.CSRF_COOKIE_SECURE) {
    out.push(W(CHECK_IDS.CSRF_COOKIE_INSECURE, 'CSRF_COOKIE_SECURE is off: the CSRF cookie can leak over plain http.', 'Set CSRF_COOKIE_SECURE: true.'));
  }
  if (s.DEBUG) {
    out.push(W(CHECK_IDS.DEBUG_ON, 'DEBUG is on: error pages show code and settings to visitors.', 'Unset DEBUG (or DEBUG=false) in production.'));
  }
  if (s.ALLOWED_HOSTS.length === 0) {
    out.push(W(CHECK_IDS.NO_ALLOWED_HOSTS, 'ALLOWED_HOSTS is empty: every request will be refused with 400.', 'Set ALLOWED_HOSTS (comma-separated env var) to the site\'s domains.'));
  }
  return out;
}

export function formatChecks(messages: readonly CheckMessage[]): string {
  if (messages.length === 0) return 'System check identified no issues.';
  const groups: [CheckLevel, string][] = [['error', 'ERRORS'], ['warning', 'WARNINGS'], ['info', 'INFOS']];
  let out = 'System check identified some issues:\n';
  for (const [level, title] of groups) {
    const list = messages.filter((m) => m.level === level);
    if (list.length === 0) continue;
    out += `\n${title}:\n`;
    for (const m of list) out += `?: (${m.id}) ${m.msg}${m.hint ? `\n\tHINT: ${m.hint}` : ''}\n`;
  }
  return `${out}\nSystem check identified ${messages.length} issue${messages.length === 1 ? '' : 's'}.`;
}
