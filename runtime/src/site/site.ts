// A booted site: settings, URL resolver, templates, static files and the middleware chain, turning a Request into a Response.
import { join, resolve } from 'node:path';
import { Http404, PaddockError, TemplateDoesNotExist } from '../errors.js';
import { commonMiddleware } from '../http/common.js';
import { composeChain, type MaybeAsyncHandler, type Middleware, type MiddlewareContext } from '../http/middleware.js';
import { Request, type RequestSite, type RequestSource } from '../http/request.js';
import { Response } from '../http/response.js';
import { RUNTIME_LOCALE_DIR } from '../i18n/catalog.js';
import { i18nProcessor } from '../i18n/processor.js';
import { getLanguage } from '../i18n/translation.js';
import { requestFinished, requestStarted } from '../http/signals.js';
import { logger } from '../log.js';
import { csrfMiddleware, csrfProcessor } from '../security/csrf.js';
import { applySecurityHeaders, clickjackingMiddleware, securityMiddleware } from '../security/headers.js';
import { resolveSettings, type Settings, type TemplateSettings } from '../settings.js';
import { StaticFiles } from '../static/files.js';
import { requestProcessor, TemplateEngines } from '../templates/engine.js';
import { liquidEngine } from '../templates/liquid.js';
import { nunjucksEngine } from '../templates/nunjucks.js';
import { URLResolver, type ResolverMatch, type ViewFunction } from '../urls/resolver.js';
import { renderToString } from '../views/shortcuts.js';
import { setCurrentSite } from './current.js';
import { resolveApps, type AppConfig, type SiteDefinition } from './define.js';

/** Security and clickjacking first, so their headers reach every response, even a redirect or a CSRF refusal. */
export const defaultMiddleware: Middleware[] = [securityMiddleware, clickjackingMiddleware, commonMiddleware, csrfMiddleware];

/** TEMPLATES unless the site sets them: the runtime's context processors, then those of the site's apps, in app order. */
export function defaultTemplateSettings(apps: readonly AppConfig[]): TemplateSettings {
  return {
    BACKEND: 'nunjucks', DIRS: ['templates'], APP_DIRS: true, OPTIONS: {},
    CONTEXT_PROCESSORS: [requestProcessor, csrfProcessor, i18nProcessor, ...apps.flatMap((a) => a.contextProcessors ?? [])],
  };
}

export interface SiteOptions {
  dir: string;
  env?: Record<string, string | undefined>;
  /** Dev mode: DEBUG defaults on and static files are served from the apps' folders. */
  dev?: boolean;
  /** For `check`: boot without a SECRET_KEY so the check can report it instead of failing. */
  checkOnly?: boolean;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class Site implements RequestSite {
  readonly dir: string;
  readonly settings: Settings;
  readonly apps: AppConfig[];
  readonly resolver: URLResolver;
  readonly templates: TemplateEngines;
  readonly staticFiles: StaticFiles;
  readonly dev: boolean;
  /** Where message catalogues are looked for, first wins: LOCALE_PATHS, each app's locale/, the runtime's own. */
  readonly localeDirs: readonly string[];
  private readonly chain: MaybeAsyncHandler;

  constructor(readonly definition: SiteDefinition, opts: SiteOptions) {
    this.dir = resolve(opts.dir);
    this.dev = opts.dev ?? false;
    const env = { ...(opts.env ?? process.env) };
    if (this.dev && env.DEBUG === undefined && definition.settings.DEBUG === undefined) env.DEBUG = 'true';
    this.apps = resolveApps(this.dir, definition.apps);
    this.settings = resolveSettings(definition.settings, env, { MIDDLEWARE: defaultMiddleware, TEMPLATES: defaultTemplateSettings(this.apps) },
      { requireSecretKey: !opts.checkOnly });
    this.localeDirs = [...this.settings.LOCALE_PATHS.map((d) => resolve(this.dir, d)), ...this.apps.map((a) => join(a.dir, 'locale')), RUNTIME_LOCALE_DIR];
    this.resolver = new URLResolver(definition.urls, { languages: this.settings.LANGUAGES.map(([code]) => code), defaultLanguage: this.settings.LANGUAGE_CODE, current: getLanguage });
    this.staticFiles = new StaticFiles(
      this.settings.STATIC_URL,
      [...this.settings.STATICFILES_DIRS.map((d) => resolve(this.dir, d)), ...this.apps.map((a) => join(a.dir, 'static'))],
      resolve(this.dir, this.settings.STATIC_ROOT),
      // Django's rule: with DEBUG on, static files come straight from the apps' folders.
      this.dev || this.settings.DEBUG,
    );
    this.templates = new TemplateEngines(this.settings.TEMPLATES.map((t) => {
      const appDir = t.APP_DIRNAME ?? (t.BACKEND === 'liquid' ? 'liquid' : 'templates');
      const dirs = [...t.DIRS.map((d) => resolve(this.dir, d)), ...(t.APP_DIRS ? this.apps.map((a) => join(a.dir, appDir)) : [])];
      const factory = t.BACKEND === 'nunjucks' ? nunjucksEngine : t.BACKEND === 'liquid' ? liquidEngine : t.BACKEND;
      const engine = factory({
        dirs, debug: this.settings.DEBUG, options: t.OPTIONS,
        reverse: (name, params) => this.reverse(name, params),
        staticUrl: (p) => this.staticUrl(p),
      });
      return { engine, dirs, contextProcessors: t.CONTEXT_PROCESSORS };
    }), (name, dirs) => new TemplateDoesNotExist(name, dirs), { cacheLookups: !this.settings.DEBUG });
    const ctx: MiddlewareContext = { settings: this.settings, errorResponse: (req, err) => this.errorResponse(req, err) };
    this.chain = composeChain((req) => this.callView(req), this.settings.MIDDLEWARE, ctx);
    setCurrentSite(this);
  }

  reverse(name: string, params?: Record<string, unknown>): string { return this.resolver.reverse(name, params); }
  resolve(path: string): ResolverMatch | null { return this.resolver.resolve(path); }
  staticUrl(path: string): string { return this.staticFiles.url(path); }

  request(src: RequestSource): Request { return new Request(src, this); }

  /** The whole request cycle: Host validation, URL resolution, then the middleware chain around the view. */
  async handle(req: Request): Promise<Response> {
    return this.dispatch(req);
  }

  /**
   * handle() for the site host: answers without a promise when the view and the middleware are synchronous,
   * so a simple page costs no async hops. Never throws: failures become error responses.
   */
  dispatch(req: Request): Response | Promise<Response> {
    if (requestStarted.hasReceivers() || requestFinished.hasReceivers()) return this.dispatchWithSignals(req);
    return this.dispatchRequest(req);
  }

  /** dispatch() with requestStarted before and requestFinished after; a failing receiver is answered like a failing view. */
  private async dispatchWithSignals(req: Request): Promise<Response> {
    let res: Response;
    try {
      await requestStarted.send({ sender: this, request: req });
      res = await this.dispatchRequest(req);
    } catch (err) {
      res = await this.errorResponse(req, err);
    }
    try {
      await requestFinished.send({ sender: this, request: req, response: res });
    } catch (err) {
      logger.error({ err, path: req.path }, 'a requestFinished receiver failed');
    }
    return res;
  }

  private dispatchRequest(req: Request): Response | Promise<Response> {
    let match: ResolverMatch | null;
    try {
      void req.host;
      match = this.resolver.resolve(req.path);
    } catch (err) {
      return this.outsideChain(req, err);
    }
    req.resolverMatch = match;
    if (match) req.params = match.params;
    return this.chain(req);
  }

  /**
   * Runs the middleware chain around `view` instead of the view the URL names (sessions, auth and CSRF see the request
   * as usual). The test client signs people in through it, with the app's own session and login code.
   */
  dispatchTo(req: Request, view: ViewFunction): Promise<Response> {
    req.resolverMatch = { view, params: {}, name: undefined, route: '' };
    req.params = {};
    return Promise.resolve(this.chain(req));
  }

  /** A response for a request refused before the chain (bad Host, bad path): still with the default security headers. */
  async outsideChain(req: Request, err: unknown): Promise<Response> {
    const debug = this.settings.DEBUG;
    const res = err instanceof PaddockError && err.status < 500
      ? this.plainError(err.status, titleFor(err.status), debug ? `<p>${escapeHtml(err.message)}</p>` : '')
      : this.plainError(500, 'Server Error');
    if (err instanceof PaddockError && err.code === 'PDK_DISALLOWED_HOST') logger.warn({ host: req.headers.host }, 'disallowed host');
    applySecurityHeaders(res, this.settings, false);
    if (!res.hasHeader('x-frame-options')) res.setHeader('x-frame-options', this.settings.X_FRAME_OPTIONS);
    return res;
  }

  private callView(req: Request): Response | Promise<Response> {
    const match = req.resolverMatch;
    if (!match) throw new Http404(`No URL pattern matches '${req.path}'.`);
    const res: unknown = match.view(req, match.params);
    if (res instanceof Response) return res;
    if (typeof (res as { then?: unknown } | null)?.then === 'function') {
      return Promise.resolve(res).then((r: unknown) => checkViewResult(match, r));
    }
    return checkViewResult(match, res);
  }

  plainError(status: number, title: string, detail = ''): Response {
    return new Response(
      `<!doctype html><html><head><meta charset="utf-8"><title>${status} ${escapeHtml(title)}</title></head>` +
      `<body><h1>${escapeHtml(title)} (${status})</h1>${detail}</body></html>`,
      { status },
    );
  }

  /** Turns an exception into the page the visitor sees; a stack trace only with DEBUG on. */
  async errorResponse(req: Request, err: unknown): Promise<Response> {
    const debug = this.settings.DEBUG;
    if (err instanceof PaddockError && err.status < 500) {
      if (err.status === 404) return this.notFound(req, err);
      return this.plainError(err.status, titleFor(err.status), debug ? `<p>${escapeHtml(err.message)}</p>` : '');
    }
    logger.error({ err, path: req.path, method: req.method }, 'view raised');
    if (debug) {
      const e = err instanceof Error ? err : new Error(String(err));
      // Postgres's undefined_table: almost always migrations that were never applied.
      const hint = (err as { code?: unknown }).code === '42P01'
        ? '<p><strong>A table is missing: are the migrations applied?</strong> Run <code>paddock migrate</code> (it works while <code>paddock dev</code> runs).</p>' : '';
      return this.plainError(500, 'Server Error',
        `<p>${escapeHtml(e.message)}</p>${hint}<pre>${escapeHtml(e.stack ?? '')}</pre><p>You see this because DEBUG is on.</p>`);
    }
    try {
      if (this.definition.handler500) return withStatus(await this.definition.handler500(req, {}), 500);
      if (this.templates.has('500.html')) return new Response(await this.templates.render('500.html', {}), { status: 500 });
    } catch (inner) {
      logger.error({ err: inner }, '500 page failed');
    }
    return this.plainError(500, 'Server Error');
  }

  private async notFound(req: Request, err: PaddockError): Promise<Response> {
    if (this.settings.DEBUG) {
      const tried = this.resolver.routeList.map((r) => `<li><code>${escapeHtml(r.route || '(empty)')}</code>${r.name ? ` [name='${escapeHtml(r.name)}']` : ''}</li>`).join('');
      return this.plainError(404, 'Page not found',
        `<p>${escapeHtml(err.message)}</p><p>URL patterns tried, in order:</p><ol>${tried}</ol><p>You see this because DEBUG is on.</p>`);
    }
    try {
      if (this.definition.handler404) return withStatus(await this.definition.handler404(req, {}), 404);
      if (this.templates.has('404.html')) {
        return new Response(await renderToString(req, '404.html', { requestPath: req.path }), { status: 404 });
      }
    } catch (inner) {
      logger.error({ err: inner }, '404 page failed');
    }
    return this.plainError(404, 'Page not found', '<p>The page you asked for does not exist.</p>');
  }
}

function withStatus(res: Response, status: number): Response { res.status = status; return res; }

function checkViewResult(match: ResolverMatch, res: unknown): Response {
  if (res instanceof Response) return res;
  throw new TypeError(`The view for '${match.route}' returned ${res === undefined ? 'undefined' : typeof res}; views must return a Response (render(), json(), redirect(), ...).`);
}

function titleFor(status: number): string {
  switch (status) {
    case 400: return 'Bad Request';
    case 403: return 'Forbidden';
    case 405: return 'Method Not Allowed';
    case 406: return 'Not Acceptable';
    case 413: return 'Request Too Large';
    default: return 'Error';
  }
}
