// The syndication framework: subclass Feed, list items, and get valid RSS 2.0 or Atom 1.0 with the right content type.
import type { Request } from '../http/request.js';
import { Response } from '../http/response.js';
import type { ViewFunction } from '../urls/resolver.js';
import { el, xmlDocument, type XmlElement } from './xml.js';

/** The document a Feed writes: RSS 2.0 or Atom 1.0. */
export type FeedType = 'rss' | 'atom';

const CONTENT_TYPES: Record<FeedType, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
};

/**
 * class LatestPosts extends Feed<Post> {
 *   title = 'My blog'; link = '/blog/'; description = 'New posts';
 *   items() { return Post.objects.orderBy('-published').limit(20); }
 *   itemTitle(p) { return p.title; } itemLink(p) { return reverse('blog:detail', { slug: p.slug }); } ...
 * }
 * path('feed/', new LatestPosts())   // or new LatestPosts({ feedType: 'atom' })
 */
export abstract class Feed<T = unknown> {
  /** RSS 2.0 (default) or Atom. */
  feedType: FeedType = 'rss';
  /** The feed's title. */
  title = '';
  /** The site page this feed mirrors; relative links are made absolute with the request's host. */
  link = '/';
  /** The feed's description (RSS) or subtitle (Atom). */
  description = '';
  /** The feed's language, e.g. 'en'. */
  language: string | null = null;
  /** The feed's author. */
  authorName: string | null = null;
  /** Seconds clients may cache the feed. */
  cacheSeconds = 300;

  constructor(opts: { feedType?: FeedType } = {}) {
    if (opts.feedType) this.feedType = opts.feedType;
  }

  /** The feed's items (an array or a query); `params` are the URL's. */
  abstract items(req: Request, params: Record<string, unknown>): readonly T[] | PromiseLike<readonly T[]>;
  /** An item's title. */
  abstract itemTitle(item: T): string;
  /** An item's path or URL (made absolute with the request's host). */
  abstract itemLink(item: T): string;
  /** An item's text (escaped in the document). */
  itemDescription(_item: T): string { return ''; }
  /** When an item was published. */
  itemPubdate(_item: T): Date | null { return null; }
  /** When an item last changed (Atom; defaults to its publication date). */
  itemUpdated(item: T): Date | null { return this.itemPubdate(item); }
  /** A stable unique id; defaults to the item's link. */
  itemGuid(item: T): string { return this.itemLink(item); }
  /** An item's author. */
  itemAuthorName(_item: T): string | null { return null; }

  /** The feed as a view, for path(): `path('feed/', new LatestPosts())` calls this. */
  asView(): ViewFunction {
    const view: ViewFunction = (req: Request, params: Record<string, unknown>) => this.respond(req, params);
    return view;
  }

  /** Renders the feed for a request. */
  async respond(req: Request, params: Record<string, unknown>): Promise<Response> {
    const items = await this.items(req, params);
    const body = this.feedType === 'atom' ? this.atom(req, items) : this.rss(req, items);
    return new Response(body, {
      contentType: CONTENT_TYPES[this.feedType],
      headers: { 'cache-control': `public, max-age=${this.cacheSeconds}` },
    });
  }

  private latest(items: readonly T[]): Date {
    let best: Date | null = null;
    for (const i of items) {
      const d = this.itemUpdated(i) ?? this.itemPubdate(i);
      if (d && (!best || d > best)) best = d;
    }
    return best ?? new Date();
  }

  rss(req: Request, items: readonly T[]): string {
    const channel: XmlElement['children'][number][] = [
      el('title', {}, this.title),
      el('link', {}, req.buildAbsoluteUri(this.link)),
      el('description', {}, this.description),
      el('atom:link', { href: req.buildAbsoluteUri(req.url), rel: 'self', type: 'application/rss+xml' }),
      this.language ? el('language', {}, this.language) : null,
      el('lastBuildDate', {}, this.latest(items).toUTCString()),
    ];
    for (const item of items) {
      const link = req.buildAbsoluteUri(this.itemLink(item));
      const guid = this.itemGuid(item);
      const absGuid = guid === this.itemLink(item) ? link : guid;
      const pub = this.itemPubdate(item);
      const author = this.itemAuthorName(item);
      channel.push(el('item', {},
        el('title', {}, this.itemTitle(item)),
        el('link', {}, link),
        el('description', {}, this.itemDescription(item)),
        el('guid', { isPermaLink: absGuid === link ? 'true' : 'false' }, absGuid),
        pub ? el('pubDate', {}, pub.toUTCString()) : null,
        author ? el('dc:creator', {}, author) : null,
      ));
    }
    return xmlDocument(el('rss', {
      version: '2.0', 'xmlns:atom': 'http://www.w3.org/2005/Atom', 'xmlns:dc': 'http://purl.org/dc/elements/1.1/',
    }, el('channel', {}, ...channel)));
  }

  atom(req: Request, items: readonly T[]): string {
    const self = req.buildAbsoluteUri(req.url);
    const children: XmlElement['children'][number][] = [
      el('title', {}, this.title),
      el('link', { href: req.buildAbsoluteUri(this.link), rel: 'alternate' }),
      el('link', { href: self, rel: 'self' }),
      el('id', {}, self),
      el('updated', {}, this.latest(items).toISOString()),
      // Atom requires an author on the feed or on every entry; the feed's title stands in when none is set.
      el('author', {}, el('name', {}, this.authorName ?? this.title)),
      this.description ? el('subtitle', {}, this.description) : null,
    ];
    for (const item of items) {
      const link = req.buildAbsoluteUri(this.itemLink(item));
      const pub = this.itemPubdate(item);
      const updated = this.itemUpdated(item) ?? pub ?? new Date();
      const guid = this.itemGuid(item);
      const author = this.itemAuthorName(item);
      children.push(el('entry', {},
        el('title', {}, this.itemTitle(item)),
        el('link', { href: link, rel: 'alternate' }),
        el('id', {}, guid === this.itemLink(item) ? link : guid),
        el('updated', {}, updated.toISOString()),
        pub ? el('published', {}, pub.toISOString()) : null,
        author ? el('author', {}, el('name', {}, author)) : null,
        el('summary', { type: 'html' }, this.itemDescription(item)),
      ));
    }
    return xmlDocument(el('feed', { xmlns: 'http://www.w3.org/2005/Atom', 'xml:lang': this.language ?? undefined }, ...children));
  }
}
