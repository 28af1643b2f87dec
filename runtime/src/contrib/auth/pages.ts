// The built-in pages of the auth views (and the admin's frame): plain server-rendered HTML that works without
// JavaScript. A site replaces any of them by providing the named template (e.g. registration/login.html).
import type { Request } from '../../http/request.js';
import { Response } from '../../http/response.js';
import { render } from '../../views/shortcuts.js';
import { escapeHtml, markSafe, type SafeHtml } from '../../forms/html.js';

export const STYLE = `
:root{--ink:#1d2433;--muted:#5b6475;--line:#d9dee8;--bg:#f6f7fb;--card:#fff;--accent:#2f5bd3;--accent-ink:#fff;--danger:#b3261e;--ok:#1f7a4d}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--accent)}header.top{background:#1d2433;color:#fff;padding:.75rem 1.5rem;display:flex;gap:1rem;align-items:center;justify-content:space-between}
header.top a{color:#fff}header.top .brand{font-weight:600;text-decoration:none;font-size:1.05rem}header.top form{display:inline}
header.top button{background:none;border:0;color:#fff;text-decoration:underline;cursor:pointer;font:inherit;padding:0}
main{max-width:1100px;margin:1.5rem auto;padding:0 1.5rem}.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1.25rem 1.5rem;margin-bottom:1.25rem}
.narrow{max-width:440px;margin:3rem auto}h1{font-size:1.45rem;margin:0 0 1rem}h2{font-size:1.1rem;margin:0 0 .75rem}
.field{margin:0 0 1rem}.field label,fieldset legend{display:block;font-weight:600;margin-bottom:.25rem}
input[type=text],input[type=email],input[type=password],input[type=url],input[type=number],input[type=search],input[type=date],input[type=datetime-local],select,textarea{width:100%;padding:.5rem .6rem;border:1px solid var(--line);border-radius:6px;font:inherit;background:#fff}
input:focus,select:focus,textarea:focus,button:focus,a:focus{outline:3px solid #9db4f0;outline-offset:1px}
.helptext{color:var(--muted);font-size:.85rem;margin-bottom:.25rem}.errorlist{color:var(--danger);margin:.25rem 0;padding-left:1.1rem}
.errorlist.nonfield{background:#fdecea;border:1px solid #f3c1bc;border-radius:6px;padding:.5rem 1.5rem}
button,.button{display:inline-block;background:var(--accent);color:var(--accent-ink);border:0;border-radius:6px;padding:.5rem 1rem;font:inherit;cursor:pointer;text-decoration:none}
.button.secondary,button.secondary{background:#e7eaf2;color:var(--ink)}.button.danger,button.danger{background:var(--danger)}
table{width:100%;border-collapse:collapse;background:#fff}th,td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
th a{color:inherit}tr:hover td{background:#fafbff}.messages{list-style:none;padding:0;margin:0 0 1rem}.messages li{padding:.6rem .9rem;border-radius:6px;margin-bottom:.5rem;background:#e8f0fe}
.messages li.success{background:#e6f4ea;color:var(--ok)}.messages li.error{background:#fdecea;color:var(--danger)}.messages li.warning{background:#fff4e5}
.toolbar{display:flex;gap:.75rem;align-items:center;flex-wrap:wrap;margin-bottom:1rem}.toolbar form{display:flex;gap:.5rem}.toolbar select,.toolbar input[type=search]{width:auto}.muted{color:var(--muted)}
.layout{display:grid;grid-template-columns:1fr 220px;gap:1.25rem}@media(max-width:800px){.layout{grid-template-columns:1fr}}
.filters h3{font-size:.95rem;margin:.75rem 0 .25rem}.filters ul{list-style:none;padding:0;margin:0}.filters a.selected{font-weight:700;color:var(--ink)}
.pagination{margin-top:1rem;display:flex;gap:.5rem;align-items:center}.breadcrumbs{color:var(--muted);margin-bottom:1rem}
.app{margin-bottom:1rem}.app table td:last-child{text-align:right;white-space:nowrap}.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:9}
`;

export interface PageOptions {
  title: string;
  /** Markup between the header and the content (user tools). */
  header?: string;
  status?: number;
  narrow?: boolean;
}

/** A whole HTML page around `body` (already-escaped markup). */
export function page(body: string | SafeHtml, options: PageOptions): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`
    + `<title>${escapeHtml(options.title)}</title><style>${STYLE}</style></head><body><a class="skip" href="#content">Skip to content</a>`
    + (options.header ?? '')
    + `<main id="content"${options.narrow ? ' class="narrow"' : ''}>${String(body)}</main></body></html>`;
  return new Response(html, { status: options.status ?? 200 });
}

/** The site's template if it has one, else the built-in page. */
export async function renderPage(req: Request, template: string, context: Record<string, unknown>, fallback: () => Response): Promise<Response> {
  if (req.site.templates.has(template)) return render(req, template, context);
  return fallback();
}

export function messagesHtml(req: Request): string {
  const list = (req.messages ?? []) as Array<{ tags?: string; toString(): string }>;
  if (!list.length) return '';
  return `<ul class="messages" role="status">${list.map((m) => `<li class="${escapeHtml(m.tags ?? '')}">${escapeHtml(String(m))}</li>`).join('')}</ul>`;
}

export { escapeHtml, markSafe };
