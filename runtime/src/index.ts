// @paddock/runtime: the public API a site (and every built-in app) is written against.
export {
  PaddockError, Http404, PermissionDenied, BadRequest, DisallowedHost, RequestTooLarge, ImproperlyConfigured, NoReverseMatch,
  TemplateDoesNotExist, SiteNotFound, NotAcceptable, ValidationError, NON_FIELD_ERRORS, BadSignature, SignatureExpired,
  CacheKeyMissing, CacheOperationUnsupported, BadHeader, SuspiciousFileOperation, ObjectDoesNotExist, MultipleObjectsReturned,
  IntegrityError, FieldError, ProtectedError, DatabaseConfigError, DatabaseInUse, ModelDefinitionError, MigrationError, Rollback, ThrottledError,
  CommandError, StorageQuotaExceeded,
  type ValidationIssue, type ValidationInput,
} from './errors.js';
export { defaultSettings, type Settings, type SiteSettings, type TemplateSettings, type DatabaseSettings, type CacheSettings } from './settings.js';
export { defineSite, app, type AppConfig, type AppEntry, type AppOptions, type Authentication, type SiteDefinition } from './site/define.js';
export { defineCommand, type Command, type CommandContext, type CommandEntry, type CommandOption, type CommandValues } from './commands/command.js';
export { currentSite, getSettings, reverse } from './site/current.js';
export { Site, defaultMiddleware } from './site/site.js';
export { Request, type RequestSource, type RequestSite } from './http/request.js';
export { Response, type ResponseBody, type ResponseInit } from './http/response.js';
export type { CookieOptions } from './http/cookies.js';
export { json, xml, redirect, stream, file, notAllowed } from './http/responses.js';
export { isSafeRedirectUrl } from './http/redirects.js';
export { buildChain, hookMiddleware, type Middleware, type MiddlewareContext, type MiddlewareHooks, type Handler } from './http/middleware.js';
export { commonMiddleware } from './http/common.js';
export { securityMiddleware, clickjackingMiddleware, applySecurityHeaders } from './security/headers.js';
export { csrfMiddleware, csrfProcessor, rotateCsrfToken, CSRF_FORM_FIELD } from './security/csrf.js';
export { path, include, type URLEntry, type URLPattern, type URLInclude, type RouteParams, type PathOptions } from './urls/patterns.js';
export { URLResolver, type ViewFunction, type ViewLike, type ViewProvider, type ResolverMatch } from './urls/resolver.js';
export { registerConverter, type Converter } from './urls/converters.js';
export { View } from './views/base.js';
export { TemplateView, RedirectView, ListView, DetailView, type Lookupable } from './views/generic.js';
export { Paginator, type Page, type ListSource, type PaginatableQuery } from './views/paginator.js';
export { render, renderToString, get404, getList404 } from './views/shortcuts.js';
export { csrfExempt, xframeOptionsExempt, requireMethods, requireGET, requirePOST } from './views/decorators.js';
export { negotiate, bestMatch } from './views/negotiation.js';
export { type TemplateEngine, type TemplateEngineFactory, type TemplateEngineOptions, type ContextProcessor,
  requestProcessor } from './templates/engine.js';
export { nunjucksEngine } from './templates/nunjucks.js';
export { liquidEngine, ALTERS_DATA } from './templates/liquid.js';
export { TemplateEngines, type ConfiguredEngine } from './templates/engine.js';
export { Signal } from './dispatch/signal.js';
export { requestStarted, requestFinished, type RequestStartedEvent, type RequestFinishedEvent } from './http/signals.js';
export { Feed, type FeedType } from './formats/feed.js';
export { Sitemap, sitemapView, type SitemapEntry } from './formats/sitemap.js';
export { el, escapeXml, renderXml, xmlDocument, toXmlElement, type XmlElement, type XmlNode } from './formats/xml.js';
export { logger } from './log.js';
export * from './db/index.js';
export * from './files/index.js';
