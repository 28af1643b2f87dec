// The docs' Markdown as HTML, by markdown-it: headings get the same anchors as on GitHub (so `page.md#a-heading`
// works in both places), links to other pages (`../topics/models.md#fields`) become the site's URLs
// (`/topics/models/#fields`), and code blocks keep only their language (the tutorial's attributes are for its test).
import { posix } from 'node:path';
import MarkdownIt from 'markdown-it';

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, ... */
export function slugger(): (text: string) => string {
  const seen = new Map<string, number>();
  return (text) => {
    const base = text.toLowerCase().trim().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n ? `${base}-${n}` : base;
  };
}

/** The site URL of a page, from its path below docs/: index.md → /, topics/models.md → /topics/models/. */
export function pageUrl(file: string): string {
  const p = file.replace(/\\/g, '/').replace(/\.md$/, '');
  if (p === 'index') return '/';
  return `/${p.replace(/\/index$/, '')}/`;
}

/** A relative link of page `from` (a path below docs/), as a path below docs/ plus its anchor; null if not a page link. */
export function resolveLink(from: string, href: string): { file: string; hash: string } | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//') || href.startsWith('/')) return null;
  const [path = '', hash = ''] = href.split('#');
  const file = path === '' ? from : posix.normalize(posix.join(posix.dirname(from), decodeURIComponent(path)));
  return { file, hash };
}

export interface RenderedPage {
  title: string;
  html: string;
  /** Every anchor on the page (headings and explicit ids). */
  anchors: Set<string>;
  /** Every link target as written. */
  links: string[];
}

/** Renders `source`, the page at `file` (a path below docs/). */
export function renderMarkdown(file: string, source: string): RenderedPage {
  const md = new MarkdownIt({ html: true, linkify: false, typographer: false });
  const slug = slugger();
  const anchors = new Set<string>();
  const links: string[] = [];
  let title = '';
  md.core.ruler.push('paddock_docs', (state) => {
    const tokens = state.tokens;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (!t) continue;
      if (t.type === 'heading_open') {
        const text = tokens[i + 1]?.children?.map((c) => (c.type === 'text' || c.type === 'code_inline' ? c.content : '')).join('') ?? '';
        const id = slug(text);
        t.attrSet('id', id);
        anchors.add(id);
        if (t.tag === 'h1' && !title) title = text;
      }
      if (t.type === 'html_block' || t.type === 'html_inline') {
        for (const m of t.content.matchAll(/\s(?:id|name)="([^"]+)"/g)) anchors.add(m[1] as string);
      }
      for (const c of t.children ?? []) {
        if (c.type === 'html_inline') for (const m of c.content.matchAll(/\s(?:id|name)="([^"]+)"/g)) anchors.add(m[1] as string);
        if (c.type !== 'link_open') continue;
        const href = String(c.attrGet('href') ?? '');
        links.push(href);
        const target = resolveLink(file, href);
        if (target && target.file.endsWith('.md')) c.attrSet('href', `${pageUrl(target.file)}${target.hash ? `#${target.hash}` : ''}`);
      }
    }
  });
  // Only the language reaches the page: `ts file=polls/models.ts` is drawn as `ts`.
  const fence = md.renderer.rules.fence;
  md.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const t = tokens[idx];
    if (t) t.info = t.info.trim().split(/\s+/)[0] ?? '';
    return fence ? fence(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options);
  };
  const html = md.render(source);
  return { title: title || file, html, anchors, links };
}
