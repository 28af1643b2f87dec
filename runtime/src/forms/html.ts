// Building HTML for forms safely: every attribute value and text node is escaped, and the result is marked safe for
// the template engine so that {{ form }} prints markup, not escaped markup.
import nunjucks from 'nunjucks';

/** HTML that templates print as it is (not escaped again). */
export type SafeHtml = nunjucks.runtime.SafeString;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' };

/** Text with `& < > " '` escaped for HTML (SafeHtml is returned unchanged). */
export function escapeHtml(value: unknown): string {
  if (isSafe(value)) return String(value);
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** Marks HTML you built (and escaped) as safe for templates to print as it is. */
export function markSafe(html: string): SafeHtml {
  return new nunjucks.runtime.SafeString(html);
}

/** Whether a value was marked safe. */
export function isSafe(value: unknown): value is SafeHtml {
  return value instanceof nunjucks.runtime.SafeString;
}

/** HTML attributes: a value, true for a bare attribute, false/null/undefined for none. */
export type Attrs = Record<string, string | number | boolean | null | undefined>;

/** ` name="value"` pairs; true prints a bare attribute, false/null/undefined leave it out. */
export function attrs(a: Attrs): string {
  let out = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === false || v === null || v === undefined) continue;
    if (!/^[a-zA-Z_:][-a-zA-Z0-9_:.]*$/.test(k)) throw new TypeError(`'${k}' is not a valid HTML attribute name.`);
    out += v === true ? ` ${k}` : ` ${k}="${escapeHtml(v)}"`;
  }
  return out;
}
