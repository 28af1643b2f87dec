// Where to go after logging in: only paths on this dashboard, so a crafted link cannot send users elsewhere.
// Returns a plain string, not Next's Route type: this module stays free of Next's ambient types so
// plain-Node tests can import it.

const BASE = 'http://d.invalid';
/** Control characters (browsers drop tabs and newlines, so `/\t/evil.com` reads as `//evil.com`) and backslashes (read as `/`). */
const unsafe = (s: string): boolean => [...s].some((c) => c <= '\u001f' || c === '\u007f' || c === '\\');

export function safeNext(raw: string | undefined | null): string {
  if (!raw) return '/sites';
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return '/sites';
  }
  // Checked decoded too: a layer that decodes once more (`/%09/evil.com`) must not find another origin.
  for (const s of [raw, decoded]) if (unsafe(s) || !s.startsWith('/') || s.startsWith('//')) return '/sites';
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return '/sites';
  }
  if (url.origin !== BASE) return '/sites';
  return `${url.pathname}${url.search}${url.hash}`;
}
