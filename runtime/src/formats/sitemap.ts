// Sitemaps: subclass Sitemap per section, mount sitemapView({ blog: new PostSitemap() }) at 'sitemap.xml'.
import type { Request } from '../http/request.js';
import { Response } from '../http/response.js';
import type { ViewFunction } from '../urls/resolver.js';
import { el, xmlDocument } from './xml.js';

/** How often a page changes, as sitemaps say it. */
export type ChangeFreq = 'always' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly' | 'never';

/** One URL of a sitemap. */
export interface SitemapEntry { loc: string; lastmod?: Date | null; changefreq?: ChangeFreq; priority?: number }

/** One section of sitemap.xml: its items and how to locate each; serve sections with sitemapView(). */
export abstract class Sitemap<T = unknown> {
  /** How often every item changes (none by default). */
  changefreq: ChangeFreq | null = null;
  /** Every item's priority, 0.0 to 1.0 (none by default). */
  priority: number | null = null;
  /** The protocol used for locations; the request's own unless set ('https' in production behind a proxy). */
  protocol: 'http' | 'https' | null = null;

  /** The items (an array or a query). */
  abstract items(): readonly T[] | PromiseLike<readonly T[]>;
  /** The path (or absolute URL) of an item. */
  abstract location(item: T): string;
  /** When an item last changed. */
  lastmod(_item: T): Date | null { return null; }

  /** The section's URLs, absolute, for a request. */
  async entries(req: Request): Promise<SitemapEntry[]> {
    const base = `${this.protocol ?? req.scheme}://${req.host}/`;
    const items = await this.items();
    return items.map((item) => ({
      loc: new URL(this.location(item), base).href,
      lastmod: this.lastmod(item),
      ...(this.changefreq ? { changefreq: this.changefreq } : {}),
      ...(this.priority !== null ? { priority: this.priority } : {}),
    }));
  }
}

/** A view answering sitemap.xml for every section (Google's limit is 50,000 URLs per file). */
export function sitemapView(sections: Record<string, Sitemap<unknown>>): ViewFunction {
  return async (req: Request) => {
    const urls = [];
    for (const s of Object.values(sections)) {
      for (const e of await s.entries(req)) {
        urls.push(el('url', {},
          el('loc', {}, e.loc),
          e.lastmod ? el('lastmod', {}, e.lastmod.toISOString().slice(0, 10)) : null,
          e.changefreq ? el('changefreq', {}, e.changefreq) : null,
          e.priority !== undefined ? el('priority', {}, e.priority.toFixed(1)) : null,
        ));
      }
    }
    return new Response(xmlDocument(el('urlset', { xmlns: 'http://www.sitemaps.org/schemas/sitemap/0.9' }, ...urls)), {
      contentType: 'application/xml; charset=utf-8',
    });
  };
}
