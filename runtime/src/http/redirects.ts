// Whether a user-supplied redirect target (a login form's ?next=) stays on this site: Django's url_has_allowed_host_and_scheme.

const PLACEHOLDER = 'relative.invalid';

/**
 * True for relative URLs and for http(s) URLs whose host (with port) is in `allowedHosts`; false for
 * 'javascript:', protocol-relative '//evil.example', '/\evil.example', control characters and anything unparsable.
 */
export function isSafeRedirectUrl(url: string | null | undefined, opts: { allowedHosts: readonly string[]; requireHttps?: boolean }): boolean {
  if (!url) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(url)) return false;
  // Browsers treat '\' like '/', so '/\evil.example' must be judged as '//evil.example'.
  const norm = url.trim().replace(/\\/g, '/');
  if (norm === '' || norm.startsWith('///')) return false;
  let parsed: URL;
  try { parsed = new URL(norm, `http://${PLACEHOLDER}/`); } catch { return false; }
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(norm);
  if (!hasScheme && !norm.startsWith('//')) return parsed.host === PLACEHOLDER;
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  if (hasScheme && opts.requireHttps && parsed.protocol !== 'https:') return false;
  return opts.allowedHosts.includes(parsed.host);
}
