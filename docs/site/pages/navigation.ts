// The site's navigation is docs/index.md's own: each `## Section` of the index, with the pages its list links to, in
// that order. One place says what the documentation holds and in which order to read it.
import MarkdownIt from 'markdown-it';
import { pageUrl, resolveLink } from './markdown.js';

export interface NavSection { title: string; links: Array<{ title: string; url: string }> }

/** `exists` says whether a page is there (the index may list pages a build has not generated yet). */
export function navigation(source: string, exists: (file: string) => boolean): NavSection[] {
  const tokens = new MarkdownIt().parse(source, {});
  const sections: NavSection[] = [];
  let current: NavSection | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t) continue;
    if (t.type === 'heading_open' && t.tag === 'h2') {
      current = { title: tokens[i + 1]?.content ?? '', links: [] };
      sections.push(current);
    }
    if (!current || t.type !== 'inline' || tokens[i - 1]?.type !== 'paragraph_open' || tokens[i - 2]?.type !== 'list_item_open') continue;
    // A list item's first link is the page it lists.
    const children = t.children ?? [];
    const open = children.findIndex((c) => c.type === 'link_open');
    if (open < 0) continue;
    const target = resolveLink('index.md', String(children[open]?.attrGet('href') ?? ''));
    if (!target || !target.file.endsWith('.md') || !exists(target.file)) continue;
    const close = children.findIndex((c, j) => j > open && c.type === 'link_close');
    const title = children.slice(open + 1, close).map((c) => c.content).join('');
    current.links.push({ title, url: pageUrl(target.file) });
  }
  return sections.filter((s) => s.links.length > 0);
}
