// Host header validation against ALLOWED_HOSTS, with Django's pattern rules ('.example.com' covers subdomains, '*' anything).

const HOST_RE = /^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]+))?$/;

/** Splits 'Example.COM:8080' into ['example.com', '8080']; null when the header is malformed. */
export function splitHost(raw: string): [string, string] | null {
  const m = HOST_RE.exec(raw.toLowerCase());
  if (!m || !m[1]) return null;
  let domain = m[1];
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  return [domain, m[2] ?? ''];
}

export function validateHost(raw: string, allowed: readonly string[]): boolean {
  const split = splitHost(raw);
  if (!split) return false;
  const [domain] = split;
  for (const pattern of allowed) {
    if (pattern === '*') return true;
    const p = pattern.toLowerCase();
    if (p.startsWith('.')) {
      if (domain === p.slice(1) || domain.endsWith(p)) return true;
    } else if (domain === p) return true;
  }
  return false;
}
