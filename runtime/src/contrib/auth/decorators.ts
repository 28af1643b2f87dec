// View guards: loginRequired sends anonymous visitors to the login page (and back), permissionRequired answers
// 403 to logged-in users without the permission (a redirect to login would loop for them).
import { PermissionDenied } from '../../errors.js';
import type { Request } from '../../http/request.js';
import { redirect } from '../../http/responses.js';
import { toViewFunction, type ViewFunction, type ViewLike } from '../../urls/resolver.js';
import { authSettings } from './config.js';
import { isAuthenticated } from './login.js';
import { hasPerms } from './permissions.js';

export function redirectToLogin(req: Request, loginUrl = authSettings().loginUrl) {
  const sep = loginUrl.includes('?') ? '&' : '?';
  return redirect(`${loginUrl}${sep}next=${encodeURIComponent(req.url)}`);
}

function keepFlags(wrapped: ViewFunction, inner: ViewFunction): ViewFunction {
  wrapped.csrfExempt = inner.csrfExempt;
  wrapped.xframeOptionsExempt = inner.xframeOptionsExempt;
  return wrapped;
}

export function loginRequired(view: ViewLike, options: { loginUrl?: string } = {}): ViewFunction {
  const inner = toViewFunction(view);
  return keepFlags(async (req, params) => (isAuthenticated(req.user) ? inner(req, params) : redirectToLogin(req, options.loginUrl)), inner);
}

/** perms: "app.codename" strings, all required. */
export function permissionRequired(perms: string | readonly string[], view: ViewLike, options: { loginUrl?: string } = {}): ViewFunction {
  const list = typeof perms === 'string' ? [perms] : perms;
  const inner = toViewFunction(view);
  return keepFlags(async (req, params) => {
    if (!isAuthenticated(req.user)) return redirectToLogin(req, options.loginUrl);
    if (!(await hasPerms(req.user, list))) throw new PermissionDenied();
    return inner(req, params);
  }, inner);
}

/** Active staff only (the admin's guard). */
export function staffMemberRequired(view: ViewLike, options: { loginUrl?: string } = {}): ViewFunction {
  const inner = toViewFunction(view);
  return keepFlags(async (req, params) => {
    const u = req.user;
    if (isAuthenticated(u) && u.isActive && u.isStaff) return inner(req, params);
    return redirectToLogin(req, options.loginUrl);
  }, inner);
}
