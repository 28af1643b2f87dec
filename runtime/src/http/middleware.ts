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

/**
 * The before/after halves of a middleware that does not need to wrap the call (Django's process_request and
 * process_response). Runs of such middleware are composed into one step instead of one async layer each; the
 * outcome is the same as nesting them: `before` answering stops the way in (its own `after` does not run,
 * outer ones do), an exception becomes the error response at that layer, `after` sees every response from inside.
 */
export interface MiddlewareHooks {
  /** On the way in: undefined to go on, or the response (or a promise of it) that answers instead. */
  before?(req: Request): Response | Promise<Response> | undefined;
  /** On the way out: adjusts the response coming back from inside. */
  after?(req: Request, res: Response): void;
}

/** Called once at boot with the handler it wraps; returns the handler that replaces it. */
export type Middleware = ((getResponse: Handler, ctx: MiddlewareContext) => Handler) & {
  /** Present on middleware written as hooks (see hookMiddleware): lets the chain skip the wrapping. */
  readonly hooks?: (ctx: MiddlewareContext) => MiddlewareHooks;
};

/** A handler that answers synchronously when it can (the framework's own fast path). */
export type MaybeAsyncHandler = (req: Request) => Response | Promise<Response>;

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/** A middleware from before/after hooks; also usable as an ordinary wrapping factory. `name` names it in stacks and lists. */
export function hookMiddleware(name: string, hooks: (ctx: MiddlewareContext) => MiddlewareHooks): Middleware {
  const factory = (getResponse: Handler, ctx: MiddlewareContext): Handler => {
    const { before, after } = hooks(ctx);
    return async (req) => {
      if (before) {
        const early = before(req);
        if (early !== undefined) return early;
      }
      const res = await getResponse(req);
      after?.(req, res);
      return res;
    };
  };
  Object.defineProperty(factory, 'name', { value: name });
  return Object.assign(factory, { hooks });
}

/**
 * Builds the chain so that MIDDLEWARE[0] runs first on the way in and last on the way out.
 * Every layer turns exceptions into responses, so outer middleware (security headers) still sees a response.
 */
export function buildChain(view: Handler, middleware: readonly Middleware[], ctx: MiddlewareContext): Handler {
  const chain = composeChain(view, middleware, ctx);
  return async (req) => chain(req);
}

/**
 * buildChain for the site: the same layers, but answering without a promise when the view and every layer are
 * synchronous, and with consecutive hook middleware run as one step.
 */
export function composeChain(view: MaybeAsyncHandler, middleware: readonly Middleware[], ctx: MiddlewareContext): MaybeAsyncHandler {
  let handler = guard(view, ctx);
  let i = middleware.length - 1;
  while (i >= 0) {
    const mw = middleware[i] as Middleware;
    if (mw.hooks) {
      const run: MiddlewareHooks[] = [];
      for (let hooks: Middleware['hooks'] = mw.hooks; hooks; hooks = middleware[i]?.hooks) {
        run.unshift(hooks(ctx));
        i--;
      }
      handler = fuse(run, handler, ctx);
    } else {
      const inner = handler;
      handler = guard(mw(async (req) => inner(req), ctx), ctx);
      i--;
    }
  }
  return handler;
}

function guard(h: MaybeAsyncHandler, ctx: MiddlewareContext): MaybeAsyncHandler {
  return (req) => {
    let res: Response | Promise<Response>;
    try {
      res = h(req);
    } catch (err) {
      return ctx.errorResponse(req, err);
    }
    return isPromise(res) ? res.then(undefined, (err: unknown) => ctx.errorResponse(req, err)) : res;
  };
}

/** hooks[0] is the outermost layer; `inner` never throws (it is guarded). */
function fuse(hooks: readonly MiddlewareHooks[], inner: MaybeAsyncHandler, ctx: MiddlewareContext): MaybeAsyncHandler {
  const befores = hooks.map((h) => h.before);
  const afters = hooks.map((h) => h.after);
  const n = hooks.length;

  // The way out from layer `from` (exclusive) to the outermost: afters in reverse order, each failure becoming
  // the error response that the remaining outer layers then see.
  const unwind = (req: Request, res: Response, from: number): Response | Promise<Response> => {
    for (let j = from - 1; j >= 0; j--) {
      const after = afters[j];
      if (!after) continue;
      try {
        after(req, res);
      } catch (err) {
        return ctx.errorResponse(req, err).then((r) => unwind(req, r, j));
      }
    }
    return res;
  };
  const settle = (req: Request, res: Response | Promise<Response>, layer: number): Response | Promise<Response> => {
    if (!isPromise(res)) return unwind(req, res, layer);
    return res.then((r) => unwind(req, r, layer), (err: unknown) => ctx.errorResponse(req, err).then((r) => unwind(req, r, layer)));
  };

  return (req) => {
    for (let i = 0; i < n; i++) {
      const before = befores[i];
      if (!before) continue;
      let early: Response | Promise<Response> | undefined;
      try {
        early = before(req);
      } catch (err) {
        return settle(req, ctx.errorResponse(req, err), i);
      }
      if (early !== undefined) return settle(req, early, i);
    }
    return settle(req, inner(req), n);
  };
}
