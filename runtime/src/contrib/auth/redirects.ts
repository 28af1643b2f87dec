// Where a "next" parameter may send a visitor after login: only this site (Django's url_has_allowed_host_and_scheme),
// never another host, a protocol-relative URL, a javascript: URL, or a backslash trick browsers read as "//".

/** Whether `url` (a ?next= value) stays on this host, so redirecting to it cannot send a visitor elsewhere. */
export function isSafeRedirect(url: string | null | undefined, host: string, requireHttps = false): url is string {
  if (!url) return false;
  const u = url.trim();
  // eslint-disable-next-line no-control-regex
  if (u !== url || /[\u0000-\u001f\u007f]/.test(u)) return false;
  if (u.startsWith('/')) {
    // '//evil.com' and '/\evil.com' are other hosts to a browser.
    return !u.startsWith('//') && !u.startsWith('/\\');
  }
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && (requireHttps || parsed.protocol !== 'http:')) return false;
  return parsed.host === host && !u.includes('\\');
}
