// Per-view switches: CSRF and clickjacking exemptions, and allowed-method guards.
import type { Request } from '../http/request.js';
import { notAllowed } from '../http/responses.js';
import { toViewFunction, type ViewFunction, type ViewLike } from '../urls/resolver.js';

/** Exempts a view from CSRF checks. Only for endpoints that authenticate every request some other way (webhooks with signatures). */
export function csrfExempt<V extends ViewLike>(view: V): V {
  if (typeof view === 'function' && !('asView' in view)) { (view as ViewFunction).csrfExempt = true; return view; }
  const fn = toViewFunction(view);
  fn.csrfExempt = true;
  return { asView: () => fn } as V;
}

/** Lets a view be framed by other sites (no X-Frame-Options header). */
export function xframeOptionsExempt<V extends ViewLike>(view: V): V {
  if (typeof view === 'function' && !('asView' in view)) { (view as ViewFunction).xframeOptionsExempt = true; return view; }
  const fn = toViewFunction(view);
  fn.xframeOptionsExempt = true;
  return { asView: () => fn } as V;
}

/** Answers 405 (with Allow) for methods not listed. */
export function requireMethods<P>(methods: readonly string[], view: ViewFunction<P>): ViewFunction<P> {
  const allowed = methods.map((m) => m.toUpperCase());
  const wrapped = ((req: Request, params: P) => (allowed.includes(req.method) ? view(req, params) : notAllowed(allowed))) as ViewFunction<P>;
  wrapped.csrfExempt = view.csrfExempt;
  wrapped.xframeOptionsExempt = view.xframeOptionsExempt;
  return wrapped;
}

/** Answers 405 to anything but GET and HEAD. */
export const requireGET = <P>(view: ViewFunction<P>): ViewFunction<P> => requireMethods(['GET', 'HEAD'], view);
/** Answers 405 to anything but POST. */
export const requirePOST = <P>(view: ViewFunction<P>): ViewFunction<P> => requireMethods(['POST'], view);
