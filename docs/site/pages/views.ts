// One view serves every page: the URL names a Markdown file of docs/ (/topics/models/ is topics/models.md,
// /reference/ is reference/index.md), rendered with the navigation of docs/index.md around it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Http404, redirect, render, type Request } from '@paddock/runtime';
import { pageUrl, renderMarkdown, type RenderedPage } from './markdown.js';
import { navigation, type NavSection } from './navigation.js';

/** docs/, two folders up from this app. */
export const docsDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

const cache = new Map<string, { mtime: number; page: RenderedPage }>();

/** A page by its path below docs/, rendered once per change of its file. */
export function loadPage(file: string): RenderedPage | null {
  const full = join(docsDir, file);
  if (!existsSync(full) || !statSync(full).isFile()) return null;
  const mtime = statSync(full).mtimeMs;
  const hit = cache.get(file);
  if (hit && hit.mtime === mtime) return hit.page;
  const page = renderMarkdown(file, readFileSync(full, 'utf8'));
  cache.set(file, { mtime, page });
  return page;
}

/** The Markdown file a URL path stands for (below docs/), or null for anything that is not a page. */
export function fileFor(slug: string): string | null {
  if (slug.split('/').some((part) => part === '..' || part.startsWith('.')) || slug.includes('\0')) return null;
  if (/^(site|tools|test|node_modules)(\/|$)/.test(slug)) return null;
  const base = slug.replace(/\/$/, '').replace(/\.md$/, '').replace(/\/index$/, '');
  for (const candidate of base === '' ? ['index.md'] : [`${base}.md`, `${base}/index.md`]) {
    if (existsSync(join(docsDir, candidate))) return candidate;
  }
  return null;
}

function neighbours(sections: NavSection[], url: string): { previous: { title: string; url: string } | null; next: { title: string; url: string } | null } {
  const section = sections.find((s) => s.links.some((l) => l.url === url));
  if (!section) return { previous: null, next: null };
  const i = section.links.findIndex((l) => l.url === url);
  return { previous: section.links[i - 1] ?? null, next: section.links[i + 1] ?? null };
}

export async function page(req: Request, params: { slug?: string }) {
  const slug = params.slug ?? '';
  const file = fileFor(slug);
  if (!file) throw new Http404(`No page at /${slug}.`);
  const url = pageUrl(file);
  // One address per page: /topics/models and /topics/models.md lead to /topics/models/.
  if (req.path !== url) return redirect(url, { permanent: true });
  const rendered = loadPage(file) as RenderedPage;
  const sections = navigation(readFileSync(join(docsDir, 'index.md'), 'utf8'), (f) => existsSync(join(docsDir, f)));
  return render(req, 'pages/page.html', {
    page: rendered, sections, current: url, ...neighbours(sections, url),
  });
}
