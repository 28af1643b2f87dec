// The framework's Request: what every view and middleware receives, with lazily parsed query, cookies, form and JSON.
import type { IncomingHttpHeaders } from 'node:http';
import { BadRequest, DisallowedHost } from '../errors.js';
import type { Settings } from '../settings.js';
import type { ContextProcessor, TemplateEngine } from '../templates/engine.js';
import type { ResolverMatch } from '../urls/resolver.js';
import { parseMultipart, type FormInput, type UploadedFile } from '../forms/uploads.js';
import { parseCookies } from './cookies.js';
import { validateHost } from './hosts.js';

export interface RequestSource {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer | null;
  ip: string;
  /** True when the TLS connection terminated in this process. */
  encrypted: boolean;
}

/** What a request knows about the site serving it; set by the site host. */
export interface RequestSite {
  readonly settings: Settings;
  reverse(name: string, params?: Record<string, unknown>): string;
  resolve(path: string): ResolverMatch | null;
  /** The site's engines; processorsFor(name) gives the context processors of the engine that renders `name`. */
  readonly templates: TemplateEngine & { processorsFor?(name: string): readonly ContextProcessor[] };
  staticUrl(path: string): string;
  /** Where the site's message catalogues are, first wins. */
  readonly localeDirs: readonly string[];
}

/** What the CSRF middleware keeps per request (security/csrf.ts). */
export interface CsrfHandle {
  /** A fresh masked token for this visitor's secret (created on first use). */
  token(): string;
  /** Replaces the secret (on login): earlier tokens stop working, a new cookie goes out. */
  rotate(): void;
}

const EMPTY = Buffer.alloc(0);
const noToken = (): string => '';

export class Request {
  readonly method: string;
  /** The percent-decoded path, always starting with '/'. */
  readonly path: string;
  /** The path and query as received. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly ip: string;
  readonly site: RequestSite;
  /** The URL pattern that matched, or null; set before middleware runs so middleware can see the view. */
  resolverMatch: ResolverMatch | null = null;
  /** Converted URL parameters of the matched pattern. */
  params: Record<string, unknown> = {};
  /** The signed-in user, set by auth middleware; undefined means anonymous. */
  user: unknown = undefined;
  /** Set by session middleware. */
  session: unknown = undefined;
  /** Flash messages for the next page, set by messages middleware. */
  messages: unknown[] | undefined = undefined;
  /** Per-request scratch space for middleware. */
  readonly state: Record<string, unknown> = {};
  /** The CSRF middleware's per-request state (tokens handed out, rotation); undefined without that middleware. */
  csrf: CsrfHandle | undefined = undefined;

  private readonly encrypted: boolean;
  private readonly queryStart: number;
  private _query: URLSearchParams | undefined;
  private _cookies: Record<string, string> | undefined;
  private _form: URLSearchParams | undefined;
  private _files: Map<string, UploadedFile[]> | undefined;
  private _host: string | undefined;
  private _csrfToken: (() => string) | undefined;
  private _languageCode: string | undefined;

  constructor(src: RequestSource, site: RequestSite) {
    this.method = src.method;
    this.url = src.url;
    this.headers = src.headers;
    this.body = src.body ?? EMPTY;
    this.ip = src.ip;
    this.encrypted = src.encrypted;
    this.site = site;
    const q = src.url.indexOf('?');
    this.queryStart = q;
    const rawPath = q < 0 ? src.url : src.url.slice(0, q);
    this.path = rawPath.includes('%') ? decodePath(rawPath) : rawPath;
  }

  /**
   * Returns a fresh masked CSRF token and makes sure the cookie is sent ('' without the CSRF middleware).
   * A function value so templates and forms can hold on to it; assignable so a wrapper can watch its use.
   */
  get csrfToken(): () => string {
    if (this._csrfToken) return this._csrfToken;
    const csrf = this.csrf;
    // Made on first use only: most requests never render a form.
    return csrf ? (this._csrfToken = () => csrf.token()) : noToken;
  }

  set csrfToken(fn: () => string) { this._csrfToken = fn; }

  /** The language this request is answered in: set by the locale middleware; LANGUAGE_CODE without it. */
  get languageCode(): string { return this._languageCode ?? this.site.settings.LANGUAGE_CODE; }
  set languageCode(code: string) { this._languageCode = code; }

  get query(): URLSearchParams {
    return (this._query ??= new URLSearchParams(this.queryStart < 0 ? '' : this.url.slice(this.queryStart + 1)));
  }

  get queryString(): string { return this.queryStart < 0 ? '' : this.url.slice(this.queryStart + 1); }

  get cookies(): Record<string, string> {
    return (this._cookies ??= parseCookies(this.headers.cookie));
  }

  get contentType(): string {
    const ct = this.headers['content-type'];
    return ct ? (ct.split(';')[0] ?? '').trim().toLowerCase() : '';
  }

  /** Fields of an application/x-www-form-urlencoded body (empty for other bodies). */
  get form(): URLSearchParams {
    if (this._form) return this._form;
    if (this.contentType === 'multipart/form-data') return this.parseMultipartBody().data;
    this._form = this.contentType === 'application/x-www-form-urlencoded'
      ? new URLSearchParams(this.body.toString('utf8'))
      : new URLSearchParams();
    return this._form;
  }

  /** Files of a multipart/form-data body by field name (empty for other bodies); the fields are in `form`. */
  get files(): Map<string, UploadedFile[]> {
    if (this._files) return this._files;
    if (this.contentType === 'multipart/form-data') return this.parseMultipartBody().files;
    return (this._files = new Map());
  }

  private parseMultipartBody(): FormInput {
    const parsed = parseMultipart(this.body, String(this.headers['content-type'] ?? ''));
    this._form = parsed.data;
    this._files = parsed.files;
    return parsed;
  }

  /** The body parsed as JSON; BadRequest (400) when it is not valid JSON. */
  json<T = unknown>(): T {
    try { return JSON.parse(this.body.toString('utf8')) as T; } catch {
      throw new BadRequest('The request body is not valid JSON.');
    }
  }

  get isSecure(): boolean {
    if (this.encrypted) return true;
    const h = this.site.settings.SECURE_PROXY_SSL_HEADER;
    if (!h) return false;
    const v = this.headers[h[0].toLowerCase()];
    return typeof v === 'string' && (v.split(',')[0] ?? '').trim() === h[1];
  }

  get scheme(): 'http' | 'https' { return this.isSecure ? 'https' : 'http'; }

  /** The Host header, validated against ALLOWED_HOSTS; throws DisallowedHost (400) otherwise. */
  get host(): string {
    if (this._host !== undefined) return this._host;
    const raw = this.headers.host ?? '';
    if (!validateHost(raw, this.site.settings.ALLOWED_HOSTS)) throw new DisallowedHost(raw);
    return (this._host = raw);
  }

  get origin(): string { return `${this.scheme}://${this.host}`; }

  /** An absolute URL for `location` (default: this request's URL). */
  buildAbsoluteUri(location?: string): string {
    return new URL(location ?? this.url, `${this.origin}/`).href;
  }

  reverse(name: string, params?: Record<string, unknown>): string {
    return this.site.reverse(name, params);
  }

  accepts(type: string): boolean {
    const accept = this.headers.accept;
    return !accept || accept.includes(type) || accept.includes('*/*');
  }
}

function decodePath(raw: string): string {
  try { return decodeURIComponent(raw); } catch {
    throw new BadRequest('The request path has invalid percent-encoding.');
  }
}
