// The dashboard's Content-Security-Policy, and its refusal of cross-origin posts. Used by proxy.ts
// on every request; kept here, apart from it, so each rule reads on its own.

/**
 * A strict policy, as Next.js documents it: scripts run only with this request's nonce (and what
 * they load, 'strict-dynamic'), never inline or from elsewhere; styles are the build's own
 * stylesheets and Next.js's nonced ones; nothing may frame the dashboard, post its forms elsewhere,
 * change its base URL or embed plugins. Development adds what `next dev` needs ('unsafe-eval' for
 * React's error stacks, inline styles for its overlay).
 */
export function contentSecurityPolicy(nonce: string, { development = false, https = false } = {}): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' ${development ? "'unsafe-inline'" : `'nonce-${nonce}'`}`,
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    // Only when the browser came over HTTPS: on plain HTTP it would break every page's assets.
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why a request that changes something is refused, or undefined when it may go on. A browser
 * sends `Origin` with every POST: one from another site's page (a server action submitted with the
 * visitor's cookie) must not run. The rule is Next.js's own for server actions — the origin's
 * host must be the first `X-Forwarded-Host`, else `Host` — applied before Next.js reads the
 * request, so it answers 403 instead of failing the action with a 500. A request without `Origin`
 * comes from no browser page and carries no visitor's cookie that was not given to it.
 */
export function crossOriginRefusal(method: string, headers: Headers): string | undefined {
  if (SAFE_METHODS.has(method.toUpperCase())) return undefined;
  const origin = headers.get('origin');
  if (origin === null) return undefined;
  const host = headers.get('x-forwarded-host')?.split(',')[0]?.trim() || headers.get('host');
  let originHost: string | undefined;
  try {
    originHost = origin === 'null' ? undefined : new URL(origin).host;
  } catch {
    originHost = undefined;
  }
  if (originHost && host && originHost === host) return undefined;
  return `Refused: this ${method} came from a page of another site (${origin.slice(0, 100)}), not from the dashboard. Open the dashboard itself and try again there.`;
}
