// The built-in pages of the auth views: plain server-rendered HTML that works without JavaScript. A site replaces
// any of them by providing the named template (e.g. registration/login.html).
import type { Request } from '../../http/request.js';
import { Response } from '../../http/response.js';
import { render } from '../../views/shortcuts.js';
import { escapeHtml, markSafe, type SafeHtml } from '../../forms/html.js';
import { gettext, getLanguage, getLanguageBidi } from '../../i18n/translation.js';

/** The built-in pages' look (the admin has its own stylesheet, contrib/admin/static/admin/css/base.css). */
export const STYLE = `
:root{--ink:#1d2433;--muted:#5b6475;--line:#d9dee8;--bg:#f6f7fb;--card:#fff;--accent:#2f5bd3;--accent-ink:#fff;--danger:#b3261e}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--accent)}main{max-width:1100px;margin:1.5rem auto;padding:0 1.5rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1.25rem 1.5rem;margin-bottom:1.25rem}
.narrow{max-width:440px;margin:3rem auto}h1{font-size:1.45rem;margin:0 0 1rem}
.field{margin:0 0 1rem}.field label,fieldset legend{display:block;font-weight:600;margin-bottom:.25rem}
input[type=text],input[type=email],input[type=password],select,textarea{width:100%;padding:.5rem .6rem;border:1px solid var(--line);border-radius:6px;font:inherit;background:#fff}
input:focus,select:focus,textarea:focus,button:focus,a:focus{outline:3px solid #9db4f0;outline-offset:1px}
.helptext{color:var(--muted);font-size:.85rem;margin-bottom:.25rem}.errorlist{color:var(--danger);margin:.25rem 0;padding-left:1.1rem}
.errorlist.nonfield{background:#fdecea;border:1px solid #f3c1bc;border-radius:6px;padding:.5rem 1.5rem}
button,.button{display:inline-block;background:var(--accent);color:var(--accent-ink);border:0;border-radius:6px;padding:.5rem 1rem;font:inherit;cursor:pointer;text-decoration:none}
.muted{color:var(--muted)}.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:9}
`;

export interface PageOptions {
  title: string;
  status?: number;
  narrow?: boolean;
}

/** A whole HTML page around `body` (already-escaped markup). */
export function page(body: string | SafeHtml, options: PageOptions): Response {
  const html = `<!doctype html><html lang="${escapeHtml(getLanguage())}"${getLanguageBidi() ? ' dir="rtl"' : ''}><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`
    + `<title>${escapeHtml(options.title)}</title><style>${STYLE}</style></head><body><a class="skip" href="#content">${escapeHtml(gettext('Skip to content'))}</a>`
    + `<main id="content"${options.narrow ? ' class="narrow"' : ''}>${String(body)}</main></body></html>`;
  return new Response(html, { status: options.status ?? 200 });
}

/** The site's template if it has one, else the built-in page. */
export async function renderPage(req: Request, template: string, context: Record<string, unknown>, fallback: () => Response): Promise<Response> {
  if (req.site.templates.has(template)) return render(req, template, context);
  return fallback();
}

export { escapeHtml, markSafe };
