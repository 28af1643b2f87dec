// The framework's Response: what every view returns, whatever the format (HTML, JSON, XML, a stream, a file).
import type { Readable } from 'node:stream';
import { serializeCookie, type CookieOptions } from './cookies.js';

/** What a response can carry: text, bytes, or a stream sent as it comes. */
export type ResponseBody = string | Uint8Array | Readable | AsyncIterable<string | Uint8Array> | null;

/** A response's status (default 200), headers, and Content-Type (default `text/html; charset=utf-8`). */
export interface ResponseInit {
  status?: number;
  headers?: Record<string, string>;
  contentType?: string;
}

/** What every view returns: `new Response(html, { status, headers, contentType })`, or made by json(), redirect(), render(), ... */
export class Response {
  status: number;
  body: ResponseBody;
  /** Lower-case header names. Set-Cookie lives in `cookies`. */
  readonly headers: Record<string, string>;
  readonly cookies: string[] = [];
  /** Views can opt out of defaults that middleware would otherwise add (e.g. X-Frame-Options). */
  xframeOptionsExempt = false;

  constructor(body: ResponseBody = '', init: ResponseInit = {}) {
    this.body = body;
    this.status = init.status ?? 200;
    const headers: Record<string, string> = {};
    if (init.headers) for (const [k, v] of Object.entries(init.headers)) headers[k.toLowerCase()] = v;
    if (!('content-type' in headers)) headers['content-type'] = init.contentType ?? 'text/html; charset=utf-8';
    this.headers = headers;
  }

  /** A header's value (any case), or undefined. */
  getHeader(name: string): string | undefined { return this.headers[name.toLowerCase()]; }
  /** Sets a header (replacing it). */
  setHeader(name: string, value: string): this { this.headers[name.toLowerCase()] = value; return this; }
  /** Whether the header is set. */
  hasHeader(name: string): boolean { return name.toLowerCase() in this.headers; }
  /** Removes a header. */
  deleteHeader(name: string): this { delete this.headers[name.toLowerCase()]; return this; }

  /** Adds a value to a comma-separated header such as Vary, without duplicates. */
  appendHeaderValue(name: string, value: string): this {
    const cur = this.getHeader(name);
    if (!cur) return this.setHeader(name, value);
    const parts = cur.split(',').map((s) => s.trim().toLowerCase());
    if (!parts.includes(value.toLowerCase())) this.setHeader(name, `${cur}, ${value}`);
    return this;
  }

  /** Adds a Set-Cookie (replacing one of the same name). */
  setCookie(name: string, value: string, opts?: CookieOptions): this {
    const prefix = `${name}=`;
    const i = this.cookies.findIndex((c) => c.startsWith(prefix));
    const line = serializeCookie(name, value, opts);
    if (i >= 0) this.cookies[i] = line; else this.cookies.push(line);
    return this;
  }

  /** Tells the browser to drop a cookie (same path and domain as it was set with). */
  deleteCookie(name: string, opts: Pick<CookieOptions, 'path' | 'domain'> = {}): this {
    return this.setCookie(name, '', { ...opts, maxAge: 0, expires: new Date(0) });
  }

  /** The body as text, for buffered responses (tests, middleware that rewrites HTML). */
  text(): string {
    if (typeof this.body === 'string') return this.body;
    if (this.body instanceof Uint8Array) return Buffer.from(this.body).toString('utf8');
    if (this.body === null) return '';
    throw new TypeError('This response streams its body; it has no text() to read.');
  }
}

export function isStreamingBody(body: ResponseBody): body is Readable | AsyncIterable<string | Uint8Array> {
  return body !== null && typeof body === 'object' && !(body instanceof Uint8Array);
}
