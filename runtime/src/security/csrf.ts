// CSRF protection: a secret in a cookie, masked per-render tokens in forms, Origin/Referer checks, all before the view runs.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hookMiddleware, type Middleware } from '../http/middleware.js';
import type { CsrfHandle, Request } from '../http/request.js';
import { Response } from '../http/response.js';
import type { Settings } from '../settings.js';
import type { ContextProcessor } from '../templates/engine.js';
import { splitHost } from '../http/hosts.js';

const SECRET_BYTES = 32;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
export const CSRF_FORM_FIELD = 'csrfmiddlewaretoken';

export const REASON_BAD_ORIGIN = 'Origin checking failed: the Origin header does not match this site or a trusted origin.';
export const REASON_NO_REFERER = 'Referer checking failed: no Referer on a secure request.';
export const REASON_BAD_REFERER = 'Referer checking failed: the Referer does not match this site or a trusted origin.';
export const REASON_NO_COOKIE = 'CSRF cookie not set.';
export const REASON_NO_TOKEN = 'CSRF token missing.';
export const REASON_BAD_TOKEN = 'CSRF token incorrect.';

function b64(buf: Buffer): string { return buf.toString('base64url'); }

function decodeSecret(value: string | undefined): Buffer | null {
  if (!value || value.length !== 43) return null;
  const buf = Buffer.from(value, 'base64url');
  return buf.length === SECRET_BYTES ? buf : null;
}

/** A fresh masked token for `secret`: different on every render, so BREACH-style compression attacks learn nothing. */
export function maskSecret(secret: Buffer): string {
  const mask = randomBytes(SECRET_BYTES);
  const out = Buffer.allocUnsafe(SECRET_BYTES * 2);
  mask.copy(out, 0);
  for (let i = 0; i < SECRET_BYTES; i++) out[SECRET_BYTES + i] = (secret[i] as number) ^ (mask[i] as number);
  return b64(out);
}

/** The secret inside a submitted token: masked (86 chars) or, for scripts that read the cookie, unmasked (43). */
export function unmaskToken(token: string): Buffer | null {
  if (token.length === 43) return decodeSecret(token);
  if (token.length !== 86) return null;
  const buf = Buffer.from(token, 'base64url');
  if (buf.length !== SECRET_BYTES * 2) return null;
  const secret = Buffer.allocUnsafe(SECRET_BYTES);
  for (let i = 0; i < SECRET_BYTES; i++) secret[i] = (buf[i] as number) ^ (buf[SECRET_BYTES + i] as number);
  return secret;
}

function originMatches(origin: string, pattern: string): boolean {
  if (origin === pattern) return true;
  // 'https://*.example.com' trusts every subdomain, as Django's CSRF_TRUSTED_ORIGINS does.
  const star = pattern.indexOf('://*.');
  if (star < 0) return false;
  const scheme = pattern.slice(0, star);
  const suffix = pattern.slice(star + 4);
  return origin.startsWith(`${scheme}://`) && origin.endsWith(suffix);
}

function isTrusted(origin: string, req: Request, settings: Settings): boolean {
  if (origin === req.origin) return true;
  return settings.CSRF_TRUSTED_ORIGINS.some((p) => originMatches(origin, p));
}

function checkOriginAndReferer(req: Request, settings: Settings): string | null {
  const origin = req.headers.origin;
  if (origin !== undefined) return isTrusted(origin, req, settings) ? null : REASON_BAD_ORIGIN;
  if (!req.isSecure) return null;
  // Without Origin, an https request must carry a same-site https Referer (a MITM on http could forge anything else).
  const referer = req.headers.referer;
  if (!referer) return REASON_NO_REFERER;
  let url: URL;
  try { url = new URL(referer); } catch { return REASON_BAD_REFERER; }
  if (url.protocol !== 'https:') return REASON_BAD_REFERER;
  const good = splitHost(req.host);
  const refHost = splitHost(url.host);
  if (good && refHost && good[0] === refHost[0] && good[1] === refHost[1]) return null;
  return isTrusted(url.origin, req, settings) ? null : REASON_BAD_REFERER;
}

function submittedToken(req: Request, settings: Settings): string | undefined {
  if (req.method === 'POST') {
    const v = req.form.get(CSRF_FORM_FIELD);
    if (v) return v;
  }
  const h = req.headers[settings.CSRF_HEADER_NAME];
  return typeof h === 'string' ? h : undefined;
}

/** Why this unsafe request must be refused, or null when it carries a valid token from this site. */
export function csrfRejectReason(req: Request, settings: Settings, secret: Buffer | null): string | null {
  const bad = checkOriginAndReferer(req, settings);
  if (bad) return bad;
  if (!secret) return REASON_NO_COOKIE;
  const token = submittedToken(req, settings);
  if (!token) return REASON_NO_TOKEN;
  const got = unmaskToken(token);
  if (!got || !timingSafeEqual(got, secret)) return REASON_BAD_TOKEN;
  return null;
}

async function defaultFailureView(req: Request, reason: string): Promise<Response> {
  const detail = req.site.settings.DEBUG ? `<p>Reason: ${escapeHtml(reason)}</p>` : '';
  return new Response(
    `<!doctype html><title>403 Forbidden</title><h1>Forbidden (403)</h1><p>CSRF verification failed. Request aborted.</p>${detail}`,
    { status: 403 },
  );
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Replaces this visitor's CSRF secret (a new cookie goes out with the response). Call it when the user signs in,
 * as Django's login does, so a token planted before login is worthless afterwards.
 */
export function rotateCsrfToken(req: Request): void {
  req.csrf?.rotate();
}

const checksSkipped = new WeakSet<Request>();

/**
 * Lets this request through the CSRF checks. The test client does it for its requests unless it was made with
 * `enforceCsrfChecks: true`, as Django's does: tests of a view should not have to scrape a token first.
 */
export function skipCsrfChecks(req: Request): void {
  checksSkipped.add(req);
}

/** One request's CSRF secret: read from the cookie only when something needs it (a token, an unsafe method). */
class CsrfState implements CsrfHandle {
  used = false;
  private cookie: Buffer | null | undefined = undefined;
  private secret: Buffer | null | undefined = undefined;
  private cached: string | undefined = undefined;

  constructor(private readonly req: Request, private readonly cookieName: string) {}

  /** The secret the browser sent, when valid. */
  cookieSecret(): Buffer | null {
    if (this.cookie === undefined) this.cookie = decodeSecret(this.req.cookies[this.cookieName]);
    return this.cookie;
  }

  token(): string {
    if (this.secret === undefined) this.secret = this.cookieSecret();
    const secret = (this.secret ??= randomBytes(SECRET_BYTES));
    this.used = true;
    return (this.cached ??= maskSecret(secret));
  }

  rotate(): void {
    this.secret = randomBytes(SECRET_BYTES);
    this.cached = undefined;
    this.used = true;
  }

  /** The secret to send in a new cookie: one made or rotated during this request. */
  newSecret(): Buffer | null {
    const secret = this.secret;
    return secret && secret !== this.cookieSecret() ? secret : null;
  }
}

async function refuse(req: Request, settings: Settings, reason: string): Promise<Response> {
  req.state.csrfFailureReason = reason;
  const res = settings.CSRF_FAILURE_VIEW
    ? await settings.CSRF_FAILURE_VIEW(req, { reason })
    : await defaultFailureView(req, reason);
  res.status = 403;
  return res;
}

export const csrfMiddleware: Middleware = hookMiddleware('csrfMiddleware', ({ settings }) => ({
  before(req: Request) {
    const state = new CsrfState(req, settings.CSRF_COOKIE_NAME);
    req.csrf = state;
    if (SAFE_METHODS.has(req.method) || req.resolverMatch?.view.csrfExempt || checksSkipped.has(req)) return undefined;
    const reason = csrfRejectReason(req, settings, state.cookieSecret());
    return reason ? refuse(req, settings, reason) : undefined;
  },
  after(req: Request, res: Response) {
    const state = req.csrf;
    if (!(state instanceof CsrfState) || !state.used) return;
    const secret = state.newSecret();
    if (secret) {
      res.setCookie(settings.CSRF_COOKIE_NAME, b64(secret), {
        maxAge: 31449600, path: '/', secure: settings.CSRF_COOKIE_SECURE,
        httpOnly: settings.CSRF_COOKIE_HTTPONLY, sameSite: settings.CSRF_COOKIE_SAMESITE,
      });
    }
    res.appendHeaderValue('vary', 'Cookie');
  },
}));

/**
 * {{ csrf_token }} in every template rendered with a request: created only when a template prints it, so pages without
 * forms set no cookie. `{% csrf_token %}` prints the whole hidden input.
 */
export const csrfProcessor: ContextProcessor = (req) => ({
  csrf_token: { toString: () => req.csrfToken() },
});
