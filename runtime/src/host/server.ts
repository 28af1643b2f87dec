// The site host's HTTP server: Fastify underneath, one catch-all route into the site, /healthz, static and media files, graceful close.
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Response, isStreamingBody } from '../http/response.js';
import { applySecurityHeaders } from '../security/headers.js';
import { contentTypeFor } from '../static/mime.js';
import { mediaResponse } from '../files/serve.js';
import { defaultStorage } from '../files/storage.js';
import type { Site } from '../site/site.js';
import { logger } from '../log.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export interface SiteServer {
  readonly fastify: FastifyInstance;
  /** Starts listening; resolves with the bound port (pass 0 for a free one). */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting, lets in-flight requests finish, closes idle keep-alive connections. */
  close(): Promise<void>;
}

function send(reply: FastifyReply, res: Response, closing = false): FastifyReply {
  const body = res.body;
  if (body !== null && isStreamingBody(body)) {
    reply.code(res.status);
    reply.headers(res.headers);
    if (res.cookies.length > 0) reply.header('set-cookie', res.cookies);
    if (closing) reply.header('connection', 'close');
    return reply.send(body instanceof Readable ? body : Readable.from(body));
  }
  // Buffered bodies go straight to node:http: one writeHead + end, without Fastify's serialisation pipeline,
  // which the site's own Response has already done the work of.
  reply.hijack();
  const headers: Record<string, string | string[] | number> = res.headers;
  if (res.cookies.length > 0) headers['set-cookie'] = res.cookies;
  // While shutting down, keep-alive connections must not outlive their last response.
  if (closing) headers.connection = 'close';
  const payload = body ?? '';
  headers['content-length'] = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  try {
    reply.raw.writeHead(res.status, headers);
  } catch (err) {
    // A header node:http refuses (CR/LF from user input in a redirect, say) must not leave the request hanging.
    logger.error({ err }, 'response headers rejected; answering 500');
    const body = 'Server Error (500)';
    reply.raw.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body),
      'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', ...(closing ? { connection: 'close' } : {}) });
    reply.raw.end(body);
    return reply;
  }
  reply.raw.end(payload);
  return reply;
}

function noSchemas(): never {
  throw new Error('the site host declares no route schemas; add a compiler to createServer() before adding one');
}

export function createServer(site: Site): SiteServer {
  const settings = site.settings;
  let closing = false;
  const fastify = Fastify({
    logger: false,
    bodyLimit: settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Paths are matched by the site's own resolver, byte for byte; Fastify only hands requests over.
    routerOptions: { ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, maxParamLength: 500 },
    // No route has a schema, so Fastify's default compilers (Ajv and fast-json-stringify, ~250 modules) would only
    // be loaded to sit unused: a third of a cold boot, which is what waking a stopped site waits for.
    schemaController: { compilersFactory: { buildValidator: noSchemas, buildSerializer: noSchemas } },
    // A URL Fastify cannot decode ('/%E0%A4%A/') is refused before any route: still our page and security headers.
    frameworkErrors: (err, _request, reply) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
      const res = site.plainError(status, 'Bad Request');
      applySecurityHeaders(res, settings, false);
      res.setHeader('x-frame-options', settings.X_FRAME_OPTIONS);
      send(reply, res, closing);
    },
  });

  // Bodies stay raw bytes: the Request parses forms and JSON lazily, and the limit above answers 413 first.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  fastify.get('/healthz', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return reply.send({ status: 'ok' });
  });

  const staticPrefix = settings.STATIC_URL.startsWith('/') ? settings.STATIC_URL : null;
  const mediaPrefix = settings.MEDIA_STORAGE === 'filesystem' && settings.MEDIA_URL.startsWith('/') && settings.MEDIA_URL !== '/' ? settings.MEDIA_URL : null;

  // Not async: a site that answers synchronously (no async view or middleware) is written out in this same tick.
  const handler = (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> | undefined => {
    const req = site.request({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: Buffer.isBuffer(request.body) ? request.body : null,
      ip: request.ip,
      encrypted: (request.raw.socket as { encrypted?: boolean }).encrypted === true,
    });
    if (staticPrefix && req.path.startsWith(staticPrefix) && (req.method === 'GET' || req.method === 'HEAD')) {
      const res = serveStatic(site, req.path.slice(staticPrefix.length));
      if (res) {
        applySecurityHeaders(res, settings, req.isSecure);
        send(reply, res, closing);
        return undefined;
      }
    }
    if (mediaPrefix && req.path.startsWith(mediaPrefix) && (req.method === 'GET' || req.method === 'HEAD')) {
      // Uploads under MEDIA_URL, from the site's local storage, with the headers that keep them inert (files/serve.ts).
      return mediaResponse(defaultStorage(), req.path.slice(mediaPrefix.length), { head: req.method === 'HEAD' }).then(async (found) => {
        const res = found ?? await site.dispatch(req);
        if (found) applySecurityHeaders(found, settings, req.isSecure);
        return send(reply, res, closing);
      });
    }
    const res = site.dispatch(req);
    if (res instanceof Response) {
      send(reply, res, closing);
      return undefined;
    }
    return res.then((r) => send(reply, r, closing));
  };
  fastify.route({ method: [...METHODS], url: '*', handler });
  fastify.route({ method: [...METHODS], url: '/', handler });

  // The catch-all route takes every path for the methods above, so whatever reaches here is an unsupported method.
  fastify.setNotFoundHandler(async (_request, reply) => {
    const res = site.plainError(405, 'Method Not Allowed');
    res.setHeader('allow', METHODS.join(', '));
    applySecurityHeaders(res, settings, false);
    res.setHeader('x-frame-options', settings.X_FRAME_OPTIONS);
    return send(reply, res, closing);
  });

  fastify.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, request, reply) => {
    // Errors raised before the site sees the request: body over the limit, a malformed body stream.
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) logger.error({ err, url: request.url }, 'host error');
    const title = status === 413 ? 'Request body too large' : status === 500 ? 'Server Error' : 'Bad Request';
    const res = site.plainError(status, title);
    applySecurityHeaders(res, settings, false);
    res.setHeader('x-frame-options', settings.X_FRAME_OPTIONS);
    return send(reply, res);
  });

  return {
    fastify,
    async listen(port, host = '0.0.0.0') {
      await fastify.listen({ port, host });
      const addr = fastify.server.address();
      return typeof addr === 'object' && addr ? addr.port : port;
    },
    close: async () => {
      closing = true;
      // A response that was still finishing when close() began leaves a keep-alive connection that only turns idle
      // afterwards; sweep idle connections until the server is closed instead of waiting out the keep-alive timeout.
      const sweep = setInterval(() => fastify.server.closeIdleConnections(), 50);
      try {
        await fastify.close();
      } finally {
        clearInterval(sweep);
      }
    },
  };
}

function serveStatic(site: Site, rel: string): Response | null {
  const found = site.staticFiles.lookup(rel);
  if (!found) return null;
  const size = statSync(found.file).size;
  return new Response(createReadStream(found.file), {
    contentType: contentTypeFor(found.file),
    headers: {
      'content-length': String(size),
      'cache-control': found.immutable ? 'public, max-age=31536000, immutable' : site.dev ? 'no-cache' : 'public, max-age=300',
    },
  });
}
