// The test client (Django's django.test.Client): sends requests to the site in this process, without a socket,
// through the whole middleware chain, keeping cookies (so sessions and the CSRF cookie) between requests like a
// browser. Its responses tell which templates rendered them and with what context.
import { ImproperlyConfigured } from '../errors.js';
import type { Request } from '../http/request.js';
import { Response } from '../http/response.js';
import { skipCsrfChecks } from '../security/csrf.js';
import type { Authentication } from '../site/define.js';
import { currentSite } from '../site/current.js';
import type { Site } from '../site/site.js';
import { onTemplateRendered, type TemplateRendered } from '../templates/engine.js';

/** Values of a form: a field's value, or several for a repeated field (checkboxes, multiple selects). */
export type FormValues = Readonly<Record<string, string | number | boolean | null | undefined | ReadonlyArray<string | number>>>;

/** A file to upload in a multipart form: `{ file: { name: 'a.txt', content: 'hello', contentType: 'text/plain' } }`. */
export interface UploadFile {
  readonly name: string;
  readonly content: string | Uint8Array;
  readonly contentType?: string;
}

export interface RequestOptions {
  /** Extra request headers (lower or mixed case). */
  headers?: Readonly<Record<string, string>>;
  /** Follow redirects (3xx with a Location on this site) and return the last response; its redirectChain lists them. */
  follow?: boolean;
  /** Send the request as https (X-Forwarded-Proto is not involved: the request itself is secure). */
  secure?: boolean;
  /** Query string values, added to the path's own. */
  query?: FormValues;
}

export interface BodyOptions extends RequestOptions {
  /**
   * How `data` is sent: 'form' (application/x-www-form-urlencoded, the default), 'multipart' (multipart/form-data, the
   * default when a value is an UploadFile), 'json' (JSON.stringify(data)), or any content type for a string or bytes body.
   */
  contentType?: 'form' | 'multipart' | 'json' | string;
}

export interface ClientOptions {
  /** Check CSRF tokens on unsafe requests, as a browser's would be. Off by default, as in Django's client. */
  enforceCsrfChecks?: boolean;
  /** Headers sent with every request. */
  headers?: Readonly<Record<string, string>>;
  /** The Host of the requests (default 'testserver', which the test runner adds to ALLOWED_HOSTS). */
  host?: string;
  /** The site to send requests to (default: the site under test). */
  site?: Site;
}

/** What a request with a body can send: form values (files for multipart), an object for JSON, a string or bytes. */
export type RequestBody = FormValues | Readonly<Record<string, unknown>> | string | Uint8Array | null | undefined;

/** A response as the test client returns it: the view's Response, read in full, plus what produced it. */
export class TestResponse {
  readonly status: number;
  /** Lower-case header names; Set-Cookie lines are in `cookies`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The Set-Cookie lines of this response. */
  readonly cookies: readonly string[];
  /** The body as text (bytes decoded as UTF-8). */
  readonly text: string;
  /** The body as bytes. */
  readonly body: Buffer;
  /** Names of the templates rendered to make it, in order: the page's, then those it extends and includes. */
  readonly templates: readonly string[];
  /** Each template rendered to make it, with the context it got. */
  readonly rendered: readonly TemplateRendered[];
  /**
   * The context the page's template was rendered with (the view's variables and the context processors'), merged over
   * the contexts of any other templates rendered; {} when no template was.
   */
  readonly context: Readonly<Record<string, unknown>>;
  /** With `follow`: each redirect followed, as [url, status]. */
  readonly redirectChain: ReadonlyArray<readonly [string, number]>;
  /** The request that produced it (its path, method, session, user...). */
  readonly request: Request;
  /** The view's own Response object. */
  readonly response: Response;
  /** The client that sent it (assertRedirects fetches the target with it). */
  readonly client: Client;

  constructor(init: {
    response: Response; body: Buffer; rendered: readonly TemplateRendered[]; redirectChain: ReadonlyArray<readonly [string, number]>;
    request: Request; client: Client;
  }) {
    this.response = init.response;
    this.status = init.response.status;
    this.headers = init.response.headers;
    this.cookies = init.response.cookies;
    this.body = init.body;
    this.text = init.body.toString('utf8');
    this.rendered = init.rendered;
    this.templates = init.rendered.map((r) => r.name);
    const context: Record<string, unknown> = {};
    for (const r of [...init.rendered].reverse()) Object.assign(context, r.context);
    this.context = context;
    this.redirectChain = init.redirectChain;
    this.request = init.request;
    this.client = init.client;
  }

  /** A response header (any case), or undefined. */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()];
  }

  /** The body parsed as JSON. */
  json<T = unknown>(): T {
    return JSON.parse(this.text) as T;
  }

  /** Where a redirect points (its Location header), or undefined. */
  get location(): string | undefined {
    return this.headers.location;
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;

function isUpload(v: unknown): v is UploadFile {
  return typeof v === 'object' && v !== null && 'name' in v && 'content' in v && !Array.isArray(v);
}

function toParams(data: FormValues | undefined): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(data ?? {})) {
    if (v === undefined || v === null) continue;
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, String(item));
  }
  return params;
}

function multipart(data: Readonly<Record<string, unknown>>): { body: Buffer; contentType: string } {
  const boundary = `----PaddockTestBoundary${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  const quote = (s: string) => s.replace(/["\r\n]/g, (c) => encodeURIComponent(c));
  for (const [name, value] of Object.entries(data)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (isUpload(item)) {
        parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"; filename="${quote(item.name)}"\r\n`
          + `Content-Type: ${item.contentType ?? 'application/octet-stream'}\r\n\r\n`));
        parts.push(typeof item.content === 'string' ? Buffer.from(item.content) : Buffer.from(item.content));
        parts.push(Buffer.from('\r\n'));
      } else {
        parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${String(item)}\r\n`));
      }
    }
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The request body and its content type for `data`, as BodyOptions.contentType says. */
function encodeBody(data: RequestBody, contentType: BodyOptions['contentType']): { body: Buffer | null; contentType?: string } {
  if (data === undefined || data === null) return { body: null };
  if (typeof data === 'string' || data instanceof Uint8Array) {
    return { body: Buffer.from(data), contentType: contentType && !['form', 'multipart', 'json'].includes(contentType) ? contentType : 'text/plain; charset=utf-8' };
  }
  if (contentType === 'json') return { body: Buffer.from(JSON.stringify(data)), contentType: 'application/json' };
  const values = Object.values(data).flatMap((v) => (Array.isArray(v) ? v : [v]));
  if (contentType === 'multipart' || (contentType === undefined && values.some(isUpload))) return multipart(data);
  if (contentType && contentType !== 'form') return { body: Buffer.from(JSON.stringify(data)), contentType };
  return { body: Buffer.from(toParams(data as FormValues).toString()), contentType: 'application/x-www-form-urlencoded' };
}

/** A cookie line's name, value and whether it removes the cookie. */
function parseSetCookie(line: string): { name: string; value: string; remove: boolean } | null {
  const [pair = '', ...attrs] = line.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return null;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  let remove = false;
  for (const attr of attrs) {
    const [k = '', v = ''] = attr.split('=').map((s) => s.trim());
    if (k.toLowerCase() === 'max-age' && Number(v) <= 0) remove = true;
    if (k.toLowerCase() === 'expires' && Date.parse(v) <= Date.now()) remove = true;
  }
  return { name, value, remove };
}

async function readBody(res: Response): Promise<Buffer> {
  const body = res.body;
  if (body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<string | Uint8Array>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * Sends requests to the site under test, in this process, keeping cookies like a browser.
 *
 * ```ts
 * const client = new Client();
 * const res = await client.get('/');
 * assertContains(res, 'Latest posts');
 * await client.forceLogin(user);
 * const made = await client.post('/new/', { title: 'Hello', body: '...' }, { follow: true });
 * ```
 */
export class Client {
  /** The cookies the site has set (name → value), sent with every request; change it to set or drop one. */
  readonly cookies = new Map<string, string>();
  readonly #options: ClientOptions;

  constructor(options: ClientOptions = {}) {
    this.#options = options;
  }

  /** The site the requests go to: the one under test unless the client was made with another. */
  get site(): Site {
    return this.#options.site ?? (currentSite() as Site);
  }

  /** A GET request: `client.get('/search/', { query: { q: 'paddock' } })`. */
  get(path: string, options: RequestOptions = {}): Promise<TestResponse> {
    return this.request('GET', path, undefined, options);
  }

  /** A HEAD request. */
  head(path: string, options: RequestOptions = {}): Promise<TestResponse> {
    return this.request('HEAD', path, undefined, options);
  }

  /** An OPTIONS request. */
  options(path: string, options: RequestOptions = {}): Promise<TestResponse> {
    return this.request('OPTIONS', path, undefined, options);
  }

  /** POSTs `data` as a form (or multipart when it holds an UploadFile, or JSON with `contentType: 'json'`). */
  post(path: string, data?: RequestBody, options: BodyOptions = {}): Promise<TestResponse> {
    return this.request('POST', path, data, options);
  }

  /** A PUT request with `data` as its body (see post()). */
  put(path: string, data?: RequestBody, options: BodyOptions = {}): Promise<TestResponse> {
    return this.request('PUT', path, data, options);
  }

  /** A PATCH request with `data` as its body (see post()). */
  patch(path: string, data?: RequestBody, options: BodyOptions = {}): Promise<TestResponse> {
    return this.request('PATCH', path, data, options);
  }

  /** A DELETE request, with `data` as its body when given (see post()). */
  delete(path: string, data?: RequestBody, options: BodyOptions = {}): Promise<TestResponse> {
    return this.request('DELETE', path, data, options);
  }

  /** Any method. Redirects are followed with GET (or the same method for 307 and 308) when `follow` is set. */
  async request(method: string, path: string, data?: RequestBody, options: BodyOptions = {}): Promise<TestResponse> {
    let res = await this.#send(method.toUpperCase(), path, data, options);
    if (!options.follow) return res;
    const chain: Array<readonly [string, number]> = [];
    let [m, d, o] = [method.toUpperCase(), data, options];
    while (REDIRECTS.has(res.status) && res.location) {
      const target = new URL(res.location, `http://${this.#host()}${res.request.path}`);
      chain.push([res.location, res.status]);
      if (target.host !== this.#host()) break;
      if (chain.length > MAX_REDIRECTS) throw new Error(`More than ${MAX_REDIRECTS} redirects from ${path}: ${chain.map(([u]) => u).join(' -> ')}`);
      if (res.status !== 307 && res.status !== 308) [m, d, o] = ['GET', undefined, { ...options, contentType: undefined, query: undefined }];
      res = await this.#send(m, `${target.pathname}${target.search}`, d, { ...o, secure: target.protocol === 'https:' || o.secure });
    }
    return new TestResponse({ response: res.response, body: res.body, rendered: res.rendered, redirectChain: chain, request: res.request, client: this });
  }

  /**
   * Signs in with credentials, as the site's login page would check them (authApp: `{ username, password }`);
   * true when they were accepted. The session cookie is kept for the next requests.
   */
  async login(credentials: Readonly<Record<string, string>>): Promise<boolean> {
    const auth = this.#authentication();
    let accepted = false;
    await this.#runWithSession(async (req) => {
      const user = await auth.authenticate(credentials, req);
      if (user) {
        await auth.login(req, user);
        accepted = true;
      }
    });
    return accepted;
  }

  /** Signs `user` in without a password (Django's force_login): the quick way for tests about signed-in pages. */
  async forceLogin(user: unknown): Promise<void> {
    const auth = this.#authentication();
    await this.#runWithSession((req) => auth.login(req, user));
  }

  /** Signs out: the session ends and its cookie is dropped. */
  async logout(): Promise<void> {
    const auth = this.#authentication();
    await this.#runWithSession((req) => auth.logout(req));
    this.cookies.clear();
  }

  #host(): string {
    return this.#options.host ?? 'testserver';
  }

  #authentication(): Authentication {
    const app = this.site.apps.find((a) => a.authentication);
    if (!app?.authentication) {
      throw new ImproperlyConfigured('login() and forceLogin() need an app that signs people in: add authApp to the site\'s apps (with sessionMiddleware() and authMiddleware()).');
    }
    return app.authentication;
  }

  /** Runs `action` inside the site's middleware (sessions, auth), as a view would, and keeps the cookies it sets. */
  async #runWithSession(action: (req: Request) => Promise<void>): Promise<void> {
    const req = this.#build('GET', '/', null, undefined, {});
    let failure: unknown;
    const res = await this.site.dispatchTo(req, async (r) => {
      try {
        await action(r);
      } catch (err) {
        failure = err;
      }
      return new Response('');
    });
    if (failure) throw failure;
    this.#keepCookies(res);
  }

  #build(method: string, path: string, body: Buffer | null, contentType: string | undefined, options: RequestOptions): Request {
    const url = new URL(path, `http://${this.#host()}`);
    for (const [k, v] of toParams(options.query)) url.searchParams.append(k, v);
    const headers: Record<string, string> = { host: this.#host(), 'user-agent': 'Paddock test client' };
    for (const [k, v] of Object.entries({ ...this.#options.headers, ...options.headers })) headers[k.toLowerCase()] = v;
    if (contentType && !headers['content-type']) headers['content-type'] = contentType;
    if (body) headers['content-length'] = String(body.length);
    const jar = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (jar && !headers.cookie) headers.cookie = jar;
    const req = this.site.request({
      method, url: `${url.pathname}${url.search}`, headers, body, ip: '127.0.0.1', encrypted: options.secure ?? false,
    });
    if (!this.#options.enforceCsrfChecks) skipCsrfChecks(req);
    return req;
  }

  #keepCookies(res: Response): void {
    for (const line of res.cookies) {
      const c = parseSetCookie(line);
      if (!c) continue;
      if (c.remove) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  async #send(method: string, path: string, data: RequestBody, options: BodyOptions): Promise<TestResponse> {
    const { body, contentType } = encodeBody(data, options.contentType);
    const req = this.#build(method, path, body, contentType, options);
    const rendered: TemplateRendered[] = [];
    const stop = onTemplateRendered((e) => rendered.push(e));
    let response: Response;
    let bytes: Buffer;
    try {
      response = await this.site.dispatch(req);
      bytes = await readBody(response);
    } finally {
      stop();
    }
    this.#keepCookies(response);
    return new TestResponse({ response, body: bytes, rendered, redirectChain: [], request: req, client: this });
  }
}
