// Response shortcuts for every format a view returns: JSON, XML, redirects, streams, files, 405.
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { Http404 } from '../errors.js';
import { toXmlElement, xmlDocument, type XmlElement } from '../formats/xml.js';
import { contentTypeFor } from '../static/mime.js';
import { Response, type ResponseInit } from './response.js';

/** A JSON response. Escapes '<', '>' and '&' so the body is also safe to inline in a <script>. */
export function json(data: unknown, init: ResponseInit = {}): Response {
  const body = JSON.stringify(data)?.replace(/[<>&'\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) ?? 'null';
  return new Response(body, { contentType: 'application/json; charset=utf-8', ...init });
}

/** An XML response from a document string, an element tree (el()), or plain data under a root element. */
export function xml(data: string | XmlElement | unknown, init: ResponseInit & { root?: string } = {}): Response {
  let body: string;
  if (typeof data === 'string') body = data;
  else if (isElement(data)) body = xmlDocument(data);
  else body = xmlDocument(toXmlElement(init.root ?? 'response', data));
  return new Response(body, { contentType: 'application/xml; charset=utf-8', ...init });
}

function isElement(x: unknown): x is XmlElement {
  return typeof x === 'object' && x !== null && 'name' in x && 'attrs' in x && 'children' in x;
}

/** A redirect to a URL (302, or 301 when permanent). Use req.reverse() or reverse() to turn a route name into one. */
export function redirect(location: string, opts: { permanent?: boolean } = {}): Response {
  return new Response('', { status: opts.permanent ? 301 : 302, headers: { location } });
}

/** A response whose body is produced piece by piece (large exports, server-sent events). */
export function stream(source: AsyncIterable<string | Uint8Array> | Readable, init: ResponseInit = {}): Response {
  return new Response(source instanceof Readable ? source : Readable.from(source), init);
}

/**
 * Types a browser runs script in when it opens them (HTML, XHTML, SVG, XML and its dialects, XSL):
 * served as a page of the site, an uploaded one could act as the site. JavaScript is not among
 * them: opened, it shows as text, and a Content-Disposition would not stop a `<script src>`.
 */
const ACTIVE_TYPE = /^\s*(text\/html|application\/xhtml\+xml|image\/svg\+xml|application\/xml|text\/xml|text\/xsl|application\/[\w.-]+\+xml)\s*(;|$)/i;

/** Whether a file of this Content-Type is served as an attachment unless the view says `inline`. */
export function isActiveContentType(contentType: string): boolean {
  return ACTIVE_TYPE.test(contentType);
}

export interface FileOptions extends ResponseInit {
  /** Always an attachment (a download), under this name or the file's own. */
  download?: boolean | string;
  /**
   * Serve an active type (HTML, SVG, XML...) inline, as a page of the site. Only for files the site
   * itself wrote, never for what users uploaded: their script would run as the site.
   */
  inline?: boolean;
}

/**
 * A file from disk, streamed, with its type and length. `download` adds Content-Disposition:
 * attachment; so does an active type (HTML, XHTML, SVG, XML) unless `inline: true` is given.
 */
export function file(path: string, opts: FileOptions = {}): Response {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    throw new Http404('The requested file does not exist.');
  }
  const { download, inline, ...init } = opts;
  const res = new Response(createReadStream(path), { ...init, contentType: init.contentType ?? contentTypeFor(path) });
  res.setHeader('content-length', String(size));
  if (download || (!inline && isActiveContentType(res.getHeader('content-type') ?? ''))) {
    const name = typeof download === 'string' ? download : basename(path);
    const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
    res.setHeader('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`);
  }
  return res;
}

/** A 405 answer with the Allow header listing `allowed`. */
export function notAllowed(allowed: readonly string[]): Response {
  return new Response('<!doctype html><title>405 Method Not Allowed</title><h1>Method Not Allowed (405)</h1>', {
    status: 405, headers: { allow: allowed.join(', ') },
  });
}
