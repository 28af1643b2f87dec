// Middleware, Django style: an ordered list of factories, each wrapping the next handler so it can act before and after the view.
import type { Settings } from '../settings.js';
import type { Request } from './request.js';
import type { Response } from './response.js';

export type Handler = (req: Request) => Promise<Response>;

/** What a middleware factory receives once at boot, besides the next handler. */
export interface MiddlewareContext {
  readonly settings: Settings;
  /** Turns an exception into the response the site shows for it (404 page, 403, 500 without a stack unless DEBUG). */
  errorResponse(req: Request, err: unknown): Promise<Response>;
}

/** Called once at boot with the handler it wraps; returns the handler that replaces it. */
export type Middleware = (getResponse: Handler, ctx: MiddlewareContext) => Handler;

/**
 * Builds the chain so that MIDDLEWARE[0] runs first on the way in and last on the way out.
 * Every layer turns exceptions into responses, so outer middleware (security headers) still sees a response.
 */
export function buildChain(view: Handler, middleware: readonly Middleware[], ctx: MiddlewareContext): Handler {
  let handler = guard(view, ctx);
  for (let i = middleware.length - 1; i >= 0; i--) {
    handler = guard((middleware[i] as Middleware)(handler, ctx), ctx);
  }
  return handler;
}

function guard(h: Handler, ctx: MiddlewareContext): Handler {
  return async (req) => {
    try {
      return await h(req);
    } catch (err) {
      return ctx.errorResponse(req, err);
    }
  };
}
