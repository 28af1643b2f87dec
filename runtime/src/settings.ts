// A site's typed settings: every default lives here, a site overrides them in site.ts, the environment overrides both.
import { ImproperlyConfigured } from './errors.js';
import { checkLanguageCode, languageInfo, supportedLanguageVariant } from './i18n/languages.js';
import { checkTimezone } from './timezone/timezone.js';
import type { DatabaseRouter } from './db/connections.js';
import type { StorageFactory } from './files/storage.js';
import type { Middleware } from './http/middleware.js';
import type { TemplateEngineFactory, ContextProcessor } from './templates/engine.js';
import type { ViewFunction } from './urls/resolver.js';

export interface DatabaseSettings { url: string }
export interface CacheSettings { url: string }

export interface TemplateSettings {
  /** 'nunjucks' (built in), 'liquid' (LiquidJS, built in) or a factory for another engine. */
  BACKEND: 'nunjucks' | 'liquid' | TemplateEngineFactory;
  /** Extra template folders, searched before the apps' folders. Relative to the site dir. */
  DIRS: string[];
  /** Search each app's folder named APP_DIRNAME too. */
  APP_DIRS: boolean;
  /** The folder of each app this engine searches: 'templates' for Nunjucks, 'liquid' for LiquidJS (Django's jinja2/ rule). */
  APP_DIRNAME?: string;
  CONTEXT_PROCESSORS: ContextProcessor[];
  OPTIONS: Record<string, unknown>;
}

export interface Settings {
  DEBUG: boolean;
  SECRET_KEY: string;
  ALLOWED_HOSTS: string[];
  PORT: number;
  DATABASES: Record<string, DatabaseSettings>;
  CACHES: Record<string, CacheSettings>;
  MIDDLEWARE: Middleware[];
  /**
   * The template engines, tried in order: a template is rendered by the first engine that finds it (a site may set
   * one engine as an object, or several as a list; each entry takes the defaults below for what it leaves out).
   */
  TEMPLATES: TemplateSettings[];
  /** Decide which database serves each model's reads and writes, relations and migrations; asked in order (Django's). */
  DATABASE_ROUTERS: DatabaseRouter[];
  APPEND_SLASH: boolean;
  /** Bytes; larger request bodies are refused with 413 before any view runs. */
  DATA_UPLOAD_MAX_MEMORY_SIZE: number;
  /** [header, value] that marks a request as https when a trusted proxy sets it, e.g. ['x-forwarded-proto', 'https']. */
  SECURE_PROXY_SSL_HEADER: [string, string] | null;
  SECURE_SSL_REDIRECT: boolean;
  SECURE_HSTS_SECONDS: number;
  SECURE_HSTS_INCLUDE_SUBDOMAINS: boolean;
  SECURE_HSTS_PRELOAD: boolean;
  SECURE_CONTENT_TYPE_NOSNIFF: boolean;
  SECURE_REFERRER_POLICY: string | null;
  SECURE_CROSS_ORIGIN_OPENER_POLICY: string | null;
  X_FRAME_OPTIONS: 'DENY' | 'SAMEORIGIN';
  CSRF_COOKIE_NAME: string;
  CSRF_HEADER_NAME: string;
  CSRF_COOKIE_SECURE: boolean;
  CSRF_COOKIE_HTTPONLY: boolean;
  CSRF_COOKIE_SAMESITE: 'Lax' | 'Strict' | 'None';
  CSRF_TRUSTED_ORIGINS: string[];
  CSRF_FAILURE_VIEW: ViewFunction | null;
  SESSION_COOKIE_SECURE: boolean;
  SESSION_COOKIE_HTTPONLY: boolean;
  STATIC_URL: string;
  /** Where collectstatic writes, relative to the site dir; served from here outside dev. */
  STATIC_ROOT: string;
  STATICFILES_DIRS: string[];
  /** Where uploaded files live (relative to the site dir); on the platform, the site's media volume. */
  MEDIA_ROOT: string;
  /** The URL uploaded files are served under ('/media/'; the site host serves a local MEDIA_ROOT there). */
  MEDIA_URL: string;
  /** Most bytes MEDIA_ROOT may hold (0: no limit); the platform sets it from the site's plan. */
  MEDIA_QUOTA_BYTES: number;
  /** 'filesystem' (MEDIA_ROOT), 's3' (the MEDIA_S3_* settings) or a function returning a Storage. */
  MEDIA_STORAGE: 'filesystem' | 's3' | StorageFactory;
  MEDIA_S3_BUCKET: string;
  MEDIA_S3_REGION: string;
  /** An S3-compatible server's address; empty for AWS. */
  MEDIA_S3_ENDPOINT: string;
  MEDIA_S3_FORCE_PATH_STYLE: boolean;
  /** Empty: the AWS SDK's own credential chain (AWS_ACCESS_KEY_ID, ...). */
  MEDIA_S3_ACCESS_KEY_ID: string;
  MEDIA_S3_SECRET_ACCESS_KEY: string;
  MEDIA_S3_PREFIX: string;
  /** Where browsers fetch objects (a CDN or the bucket's public address); empty: the endpoint's address. */
  MEDIA_S3_PUBLIC_URL: string;
  /** The site's default language ('en-us', 'fr', 'pt-br'): used when the locale middleware finds nothing better. */
  LANGUAGE_CODE: string;
  /** The languages the locale middleware may choose, as [code, name]. Default: those the runtime is translated into. */
  LANGUAGES: ReadonlyArray<readonly [string, string]>;
  /** Catalogue folders searched before the apps' locale/ folders (relative to the site dir). */
  LOCALE_PATHS: string[];
  /** The cookie the set_language view writes and the locale middleware reads. */
  LANGUAGE_COOKIE_NAME: string;
  /** Seconds the language cookie lasts; null for a browser-session cookie. */
  LANGUAGE_COOKIE_AGE: number | null;
  LANGUAGE_COOKIE_SECURE: boolean;
  LANGUAGE_COOKIE_SAMESITE: 'Lax' | 'Strict' | 'None';
  /**
   * The default time zone (IANA name, e.g. 'Europe/Paris'): dates in templates and forms are shown and read in it
   * unless a time zone is activated for the request. Datetimes are always stored in UTC (Django's USE_TZ = True).
   */
  TIME_ZONE: string;
  /** The cookie the set_timezone view writes and the time zone middleware reads. */
  TIME_ZONE_COOKIE_NAME: string;
  /**
   * Where mailBackend() sends mail (Django's EMAIL_BACKEND): smtp://user:pass@host:587, smtps://..., console:// (printed,
   * the default), memory:// or dummy://. The test runner replaces it with the outbox tests read.
   */
  EMAIL_URL: string;
  /** The From of mail that names none. */
  DEFAULT_FROM_EMAIL: string;
  /** Seconds a SIGTERM waits for in-flight requests before the process exits anyway. */
  SHUTDOWN_TIMEOUT: number;
}

/** Defaults. MIDDLEWARE and TEMPLATES.CONTEXT_PROCESSORS are filled in by the site module (they reference code). */
export const defaultSettings: Readonly<Omit<Settings, 'MIDDLEWARE' | 'TEMPLATES' | 'DATABASE_ROUTERS'>> = Object.freeze({
  DEBUG: false,
  SECRET_KEY: '',
  ALLOWED_HOSTS: [],
  PORT: 8000,
  DATABASES: {},
  CACHES: {},
  APPEND_SLASH: true,
  DATA_UPLOAD_MAX_MEMORY_SIZE: 2.5 * 1024 * 1024,
  SECURE_PROXY_SSL_HEADER: null,
  SECURE_SSL_REDIRECT: false,
  SECURE_HSTS_SECONDS: 0,
  SECURE_HSTS_INCLUDE_SUBDOMAINS: false,
  SECURE_HSTS_PRELOAD: false,
  SECURE_CONTENT_TYPE_NOSNIFF: true,
  SECURE_REFERRER_POLICY: 'same-origin',
  SECURE_CROSS_ORIGIN_OPENER_POLICY: 'same-origin',
  X_FRAME_OPTIONS: 'DENY',
  CSRF_COOKIE_NAME: 'csrftoken',
  CSRF_HEADER_NAME: 'x-csrftoken',
  CSRF_COOKIE_SECURE: false,
  CSRF_COOKIE_HTTPONLY: false,
  CSRF_COOKIE_SAMESITE: 'Lax',
  CSRF_TRUSTED_ORIGINS: [],
  CSRF_FAILURE_VIEW: null,
  SESSION_COOKIE_SECURE: false,
  SESSION_COOKIE_HTTPONLY: true,
  STATIC_URL: '/static/',
  STATIC_ROOT: 'staticfiles',
  STATICFILES_DIRS: [],
  MEDIA_ROOT: 'media',
  MEDIA_URL: '/media/',
  MEDIA_QUOTA_BYTES: 0,
  MEDIA_STORAGE: 'filesystem',
  MEDIA_S3_BUCKET: '',
  MEDIA_S3_REGION: '',
  MEDIA_S3_ENDPOINT: '',
  MEDIA_S3_FORCE_PATH_STYLE: false,
  MEDIA_S3_ACCESS_KEY_ID: '',
  MEDIA_S3_SECRET_ACCESS_KEY: '',
  MEDIA_S3_PREFIX: '',
  MEDIA_S3_PUBLIC_URL: '',
  LANGUAGE_CODE: 'en-us',
  LANGUAGES: [['en', 'English'], ['fr', 'French'], ['de', 'German']] as ReadonlyArray<readonly [string, string]>,
  LOCALE_PATHS: ['locale'],
  LANGUAGE_COOKIE_NAME: 'paddock_language',
  LANGUAGE_COOKIE_AGE: 365 * 24 * 3600,
  LANGUAGE_COOKIE_SECURE: false,
  LANGUAGE_COOKIE_SAMESITE: 'Lax',
  TIME_ZONE: 'UTC',
  TIME_ZONE_COOKIE_NAME: 'paddock_timezone',
  EMAIL_URL: 'console://',
  DEFAULT_FROM_EMAIL: 'webmaster@localhost',
  SHUTDOWN_TIMEOUT: 25,
});

export type SiteSettings = Partial<Omit<Settings, 'TEMPLATES'>> & { TEMPLATES?: Partial<TemplateSettings> | Array<Partial<TemplateSettings>> };

type Env = Record<string, string | undefined>;

function parseBool(name: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new ImproperlyConfigured(`${name}=${raw} is not a boolean. Use true or false.`);
}

function parseInt10(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new ImproperlyConfigured(`${name}=${raw} is not a whole number.`);
  return n;
}

function parseList(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * Overrides from the environment. The platform sets PORT, DATABASE_URL, CACHE_URL (+ CACHE_KEY_PREFIX), SECRET_KEY,
 * ALLOWED_HOSTS, DEBUG and PADDOCK_SECURE_PROXY_SSL_HEADER in a site's container; EMAIL_URL is read too; any scalar or list setting can also be set as
 * PADDOCK_<NAME>.
 */
export function settingsFromEnv(env: Env): Partial<Settings> {
  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(defaultSettings)) {
    const raw = env[`PADDOCK_${key}`];
    if (raw === undefined) continue;
    const name = `PADDOCK_${key}`;
    if (key === 'LANGUAGES') out[key] = parseList(raw).map((code) => [code, languageInfo(code).name]);
    else if (typeof def === 'boolean') out[key] = parseBool(name, raw);
    else if (typeof def === 'number') out[key] = parseInt10(name, raw);
    else if (typeof def === 'string') out[key] = raw;
    else if (Array.isArray(def)) out[key] = parseList(raw);
  }
  const proxyHeader = env.PADDOCK_SECURE_PROXY_SSL_HEADER;
  if (proxyHeader !== undefined) out.SECURE_PROXY_SSL_HEADER = parseProxyHeader(proxyHeader);
  if (env.PORT !== undefined) out.PORT = parseInt10('PORT', env.PORT);
  if (env.SECRET_KEY !== undefined) out.SECRET_KEY = env.SECRET_KEY;
  if (env.ALLOWED_HOSTS !== undefined) out.ALLOWED_HOSTS = parseList(env.ALLOWED_HOSTS);
  if (env.DEBUG !== undefined) out.DEBUG = parseBool('DEBUG', env.DEBUG);
  if (env.DATABASE_URL) out.DATABASES = { default: { url: env.DATABASE_URL } };
  if (env.EMAIL_URL) out.EMAIL_URL = env.EMAIL_URL;
  if (env.CACHE_URL) out.CACHES = { default: { url: withKeyPrefix(env.CACHE_URL, env.CACHE_KEY_PREFIX) } };
  return out as Partial<Settings>;
}

/**
 * PADDOCK_SECURE_PROXY_SSL_HEADER="header,value" (the platform sets X-Forwarded-Proto,https: its edge always writes
 * that header, so a visitor cannot); empty: no proxy header is believed.
 */
function parseProxyHeader(raw: string): [string, string] | null {
  if (raw.trim() === '') return null;
  const parts = parseList(raw);
  if (parts.length !== 2) throw new ImproperlyConfigured(`PADDOCK_SECURE_PROXY_SSL_HEADER=${raw} is not "header,value". Use e.g. X-Forwarded-Proto,https.`);
  return [parts[0]!, parts[1]!];
}

/** The platform's cache user may touch only keys under CACHE_KEY_PREFIX: the cache URL carries it (?prefix=). */
function withKeyPrefix(cacheUrl: string, prefix: string | undefined): string {
  if (!prefix) return cacheUrl;
  try {
    const url = new URL(cacheUrl);
    url.searchParams.set('prefix', prefix);
    return url.href;
  } catch {
    return cacheUrl; // createCache reports the bad URL with advice
  }
}

/** defaults < site.ts < environment. Throws ImproperlyConfigured for a production site without a SECRET_KEY. */
export function resolveSettings(
  site: SiteSettings,
  env: Env,
  base: { MIDDLEWARE: Middleware[]; TEMPLATES: TemplateSettings },
  opts: { requireSecretKey?: boolean } = {},
): Settings {
  const fromEnv = settingsFromEnv(env);
  const engines = site.TEMPLATES === undefined ? [{}] : Array.isArray(site.TEMPLATES) ? site.TEMPLATES : [site.TEMPLATES];
  if (engines.length === 0) throw new ImproperlyConfigured('TEMPLATES is an empty list: configure at least one engine, e.g. [{ BACKEND: \'nunjucks\' }].');
  const settings: Settings = {
    ...defaultSettings,
    MIDDLEWARE: base.MIDDLEWARE,
    DATABASE_ROUTERS: [],
    ...site,
    TEMPLATES: engines.map((e) => ({ ...base.TEMPLATES, ...e })),
    ...fromEnv,
  } as Settings;
  if (fromEnv.DATABASES) settings.DATABASES = { ...site.DATABASES, ...fromEnv.DATABASES };
  if (fromEnv.CACHES) settings.CACHES = { ...site.CACHES, ...fromEnv.CACHES };
  settings.LANGUAGE_CODE = checkLanguageCode(settings.LANGUAGE_CODE, 'LANGUAGE_CODE');
  settings.LANGUAGES = settings.LANGUAGES.map(([code, name]) => [checkLanguageCode(code, 'LANGUAGES lists'), name] as const);
  if (!site.LANGUAGES && !fromEnv.LANGUAGES && !supportedLanguageVariant(settings.LANGUAGE_CODE, settings.LANGUAGES, true)) {
    // A site that only sets LANGUAGE_CODE offers it besides the runtime's own languages.
    settings.LANGUAGES = [...settings.LANGUAGES, [settings.LANGUAGE_CODE, languageInfo(settings.LANGUAGE_CODE).name]];
  }
  settings.TIME_ZONE = checkTimezone(settings.TIME_ZONE, 'TIME_ZONE');
  if (!settings.DEBUG && !settings.SECRET_KEY && opts.requireSecretKey !== false) {
    throw new ImproperlyConfigured('SECRET_KEY must be set when DEBUG is off. Set the SECRET_KEY env var (the platform sets one per site).');
  }
  if (settings.DEBUG && settings.ALLOWED_HOSTS.length === 0) {
    // Django's dev behaviour: with DEBUG on and no hosts configured, local names are allowed.
    settings.ALLOWED_HOSTS = ['localhost', '.localhost', '127.0.0.1', '[::1]'];
  }
  return settings;
}
