// Class-based views: a class with get()/post()/... methods, turned into a view function by asView().
import type { Request } from '../http/request.js';
import type { Response } from '../http/response.js';
import { notAllowed } from '../http/responses.js';
import type { ViewFunction } from '../urls/resolver.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'] as const;
type MethodHandler = (req: Request) => Response | Promise<Response>;

/** A class-based view: methods named after HTTP methods (`get`, `post`, ...) answer them; others get 405. Route the class itself: `path('', MyView)`. */
export class View {
  /** Set to true on a subclass to exempt it from CSRF checks. */
  static csrfExempt = false;
  static xframeOptionsExempt = false;

  /** The request being answered (set by `setup()`). */
  request!: Request;
  /** The URL's parameters. */
  params: Record<string, unknown> = {};

  /**
   * A view function that makes a fresh instance per request, applies `init` to it, and dispatches on the method.
   * The class itself can also go straight into path(): path('', PostList).
   */
  static asView<T extends View>(this: new () => T, init: Partial<T> = {}): ViewFunction {
    const statics = this as unknown as typeof View;
    const fn: ViewFunction = (req: Request, params: Record<string, unknown>) => {
      const v = new this();
      Object.assign(v, init);
      v.setup(req, params);
      return v.dispatch(req);
    };
    fn.csrfExempt = statics.csrfExempt;
    fn.xframeOptionsExempt = statics.xframeOptionsExempt;
    return fn;
  }

  /** Stores the request and parameters before dispatching. */
  setup(req: Request, params: Record<string, unknown>): void {
    this.request = req;
    this.params = params;
  }

  /** The HTTP methods this view answers (HEAD when it has GET); the Allow header of a 405. */
  allowedMethods(): string[] {
    const self = this as unknown as Record<string, unknown>;
    const out = METHODS.filter((m) => typeof self[m] === 'function').map((m) => m.toUpperCase());
    if (out.includes('GET') && !out.includes('HEAD')) out.push('HEAD');
    return out;
  }

  /** Calls the method named after the request's method, or answers 405. */
  dispatch(req: Request): Response | Promise<Response> {
    const self = this as unknown as Record<string, MethodHandler | undefined>;
    const m = req.method.toLowerCase();
    let handler = (METHODS as readonly string[]).includes(m) ? self[m] : undefined;
    if (!handler && m === 'head') handler = self.get;
    if (!handler) return notAllowed(this.allowedMethods());
    return handler.call(this, req);
  }
}
