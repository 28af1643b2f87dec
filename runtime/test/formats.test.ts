import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  DetailView, Feed, file, json, ListView, negotiate, path, Response, Sitemap, sitemapView, stream, View, xml,
  type Request,
} from '@paddock/runtime';
import { call, makeSite } from './helpers/site.js';
import { child, children, parseXml } from './helpers/xml.js';

interface Post { slug: string; title: string; body: string; published: Date }
const POSTS: Post[] = [
  { slug: 'first', title: 'First & <best>', body: '<p>Hello <script>x</script></p>', published: new Date('2026-01-02T03:04:05Z') },
  { slug: 'second', title: 'Second', body: 'Plain ]]> text', published: new Date('2026-02-03T04:05:06Z') },
];

class LatestPosts extends Feed<Post> {
  override title = 'The blog';
  override link = '/posts/';
  override description = 'New posts';
  items() { return POSTS; }
  itemTitle(p: Post) { return p.title; }
  itemLink(p: Post) { return `/posts/${p.slug}/`; }
  override itemDescription(p: Post) { return p.body; }
  override itemPubdate(p: Post) { return p.published; }
}

class PostSitemap extends Sitemap<Post> {
  override changefreq = 'weekly' as const;
  override priority = 0.5;
  items() { return POSTS; }
  location(p: Post) { return `/posts/${p.slug}/`; }
  override lastmod(p: Post) { return p.published; }
}

class Hello extends View {
  async get() { return new Response('got'); }
  async post() { return new Response('posted'); }
}

class ExemptHello extends Hello { static override csrfExempt = true; }

class PostList extends ListView<Post> {
  override queryset = POSTS;
  override paginateBy = 1;
  override templateName = 'list';
}
class PostDetail extends DetailView<Post> {
  override queryset = POSTS;
  override templateName = 'detail';
}

// Files as a site's users could have uploaded them: each type a browser may run script in, and others.
const uploads = mkdtempSync(join(tmpdir(), 'pdk-file-types-'));
const UPLOADED: Record<string, string> = {
  'page.html': '<script>alert(document.cookie)</script>',
  'logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
  'data.xml': '<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>',
  'page.xhtml': '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
  'notes.txt': 'plain text',
  'app.js': 'console.log(1)',
  'photo.png': 'not really a png',
};
for (const [name, body] of Object.entries(UPLOADED)) writeFileSync(join(uploads, name), body);

const site = makeSite({
  urls: [
    path('uploads/<str:name>', (_req: Request, { name }: { name: string }) =>
      file(join(uploads, name), name === 'page.xhtml' ? { contentType: 'application/xhtml+xml' } : {})),
    path('inline/<str:name>', (_req: Request, { name }: { name: string }) => file(join(uploads, name), { inline: true })),
    path('rss/', new LatestPosts()),
    path('atom/', new LatestPosts({ feedType: 'atom' })),
    path('sitemap.xml', sitemapView({ posts: new PostSitemap() })),
    path('data.json', () => json({ html: '</script><b>', n: 1 })),
    path('data.xml', () => xml({ posts: POSTS.map((p) => ({ slug: p.slug, title: p.title })) }, { root: 'blog' })),
    path('neg/', (req: Request) => negotiate(req, { 'text/html': () => new Response('<p>html</p>'), 'application/json': () => json({ ok: true }) })),
    path('stream/', () => stream((async function* () { yield 'a'; yield 'b'; })())),
    path('download/', () => file(new URL(import.meta.url).pathname, { download: 'résumé "v1".ts' })),
    path('missing-file/', () => file('/nonexistent/file.txt')),
    path('cbv/', Hello),
    path('cbv-exempt/', ExemptHello),
    path('list/', PostList.asView({ templateName: 'list' })),
    path('post/<slug:slug>/', PostDetail),
  ],
  settings: {
    TEMPLATES: {
      BACKEND: () => ({
        has: () => true,
        render: async (name, ctx) => name === 'list'
          ? `page ${(ctx.page as { number: number }).number}/${(ctx.page as { numPages: number }).numPages}: ${(ctx.objectList as Post[]).map((p) => p.slug).join(',')}`
          : `detail ${(ctx.object as Post).slug}`,
        renderString: async (s) => s,
      }),
    },
  },
});

describe('feeds', () => {
  it('produces RSS 2.0 that parses as XML, with the required channel and item elements and its content type', async () => {
    const res = await call(site, '/rss/');
    assert.equal(res.getHeader('content-type'), 'application/rss+xml; charset=utf-8');
    const rss = parseXml(res.text());
    assert.equal(rss.tag, 'rss');
    assert.equal(rss.attrib.version, '2.0');
    const channel = child(rss, 'channel');
    assert.ok(channel);
    assert.equal(child(channel, 'title')?.text, 'The blog');
    assert.equal(child(channel, 'link')?.text, 'http://testserver/posts/');
    assert.equal(child(channel, 'description')?.text, 'New posts');
    const items = children(channel, 'item');
    assert.equal(items.length, 2);
    const first = items[0]!;
    assert.equal(child(first, 'title')?.text, 'First & <best>', 'text round-trips through escaping');
    assert.equal(child(first, 'link')?.text, 'http://testserver/posts/first/');
    assert.equal(child(first, 'description')?.text, '<p>Hello <script>x</script></p>');
    assert.equal(child(first, 'guid')?.text, 'http://testserver/posts/first/');
    assert.equal(child(first, 'pubDate')?.text, 'Fri, 02 Jan 2026 03:04:05 GMT');
    assert.ok(!res.text().includes('<script>'), 'markup inside items is escaped, never raw');
  });

  it('produces Atom 1.0 with id, updated, author and entries', async () => {
    const res = await call(site, '/atom/');
    assert.equal(res.getHeader('content-type'), 'application/atom+xml; charset=utf-8');
    const A = '{http://www.w3.org/2005/Atom}';
    const feed = parseXml(res.text());
    assert.equal(feed.tag, `${A}feed`);
    for (const tag of ['title', 'id', 'updated', 'author']) assert.ok(child(feed, A + tag), tag);
    assert.equal(child(feed, `${A}updated`)?.text, '2026-02-03T04:05:06.000Z', 'updated is the newest entry');
    const entries = children(feed, `${A}entry`);
    assert.equal(entries.length, 2);
    for (const e of entries) for (const tag of ['title', 'id', 'updated', 'link']) assert.ok(child(e, A + tag), tag);
    assert.equal(child(entries[1]!, `${A}summary`)?.text, 'Plain ]]> text');
  });
});

describe('formats', () => {
  it('serves sitemap.xml in the sitemaps.org schema', async () => {
    const res = await call(site, '/sitemap.xml');
    assert.equal(res.getHeader('content-type'), 'application/xml; charset=utf-8');
    const S = '{http://www.sitemaps.org/schemas/sitemap/0.9}';
    const set = parseXml(res.text());
    assert.equal(set.tag, `${S}urlset`);
    const urls = children(set, `${S}url`);
    assert.deepEqual(urls.map((u) => child(u, `${S}loc`)?.text), ['http://testserver/posts/first/', 'http://testserver/posts/second/']);
    assert.equal(child(urls[0]!, `${S}lastmod`)?.text, '2026-01-02');
    assert.equal(child(urls[0]!, `${S}priority`)?.text, '0.5');
  });

  it('answers JSON safe to inline in HTML, and XML from plain data', async () => {
    const j = await call(site, '/data.json');
    assert.equal(j.getHeader('content-type'), 'application/json; charset=utf-8');
    assert.ok(!j.text().includes('</script>'));
    assert.deepEqual(JSON.parse(j.text()), { html: '</script><b>', n: 1 });
    const x = await call(site, '/data.xml');
    assert.equal(x.getHeader('content-type'), 'application/xml; charset=utf-8');
    const doc = parseXml(x.text());
    assert.equal(doc.tag, 'blog');
    assert.equal(child(child(child(doc, 'posts')!, 'item')!, 'title')?.text, 'First & <best>');
  });

  it('negotiates HTML or JSON from Accept, with Vary: Accept, and 406 when nothing fits', async () => {
    assert.equal((await call(site, '/neg/', { headers: { accept: 'application/json' } })).getHeader('content-type'), 'application/json; charset=utf-8');
    const html = await call(site, '/neg/', { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    assert.equal(html.text(), '<p>html</p>');
    assert.equal(html.getHeader('vary'), 'Accept');
    assert.equal((await call(site, '/neg/', { headers: { accept: 'application/json;q=0.5, text/html;q=0.9' } })).text(), '<p>html</p>');
    assert.equal((await call(site, '/neg/', { headers: { accept: 'image/png' } })).status, 406);
  });

  it('sends files with type, length and an attachment name safe in the header; 404 when absent', async () => {
    const res = await call(site, '/download/');
    assert.equal(res.getHeader('content-type'), 'application/octet-stream');
    assert.ok(Number(res.getHeader('content-length')) > 1000);
    assert.equal(res.getHeader('content-disposition'), `attachment; filename="r_sum_ _v1_.ts"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22v1%22.ts`);
    (res.body as NodeJS.ReadableStream & { destroy(): void }).destroy();
    assert.equal((await call(site, '/missing-file/')).status, 404);
  });

  it('serves files of active types (HTML, XHTML, SVG, XML) as attachments unless the view says inline; others inline; nosniff on all', async () => {
    for (const name of Object.keys(UPLOADED)) {
      const res = await call(site, `/uploads/${name}`);
      assert.equal(res.status, 200, name);
      const active = ['page.html', 'logo.svg', 'data.xml', 'page.xhtml'].includes(name);
      assert.equal(res.getHeader('content-disposition'), active ? `attachment; filename="${name}"; filename*=UTF-8''${name}` : undefined, `${name}: ${res.getHeader('content-type')}`);
      assert.equal(res.getHeader('x-content-type-options'), 'nosniff', name);
      (res.body as NodeJS.ReadableStream & { destroy(): void }).destroy();
    }
    const inline = await call(site, '/inline/page.html');
    assert.equal(inline.getHeader('content-type'), 'text/html; charset=utf-8');
    assert.equal(inline.getHeader('content-disposition'), undefined, 'the view asked for it inline');
    (inline.body as NodeJS.ReadableStream & { destroy(): void }).destroy();
  });

  it('streams bodies produced piece by piece', async () => {
    const res = await call(site, '/stream/');
    let out = '';
    for await (const chunk of res.body as AsyncIterable<Buffer | string>) out += chunk.toString();
    assert.equal(out, 'ab');
  });
});

describe('class-based views', () => {
  it('dispatch on the method, with 405 and Allow for the rest', async () => {
    assert.equal((await call(site, '/cbv/')).text(), 'got');
    const res = await call(site, '/cbv/', { method: 'DELETE', headers: { 'x-csrftoken': 'x' } });
    // DELETE is unsafe, so CSRF answers first; an exempt view shows the 405.
    assert.equal(res.status, 403);
    const exempt = await call(site, '/cbv-exempt/', { method: 'DELETE' });
    assert.equal(exempt.status, 405);
    assert.equal(exempt.getHeader('allow'), 'GET, POST, HEAD');
    assert.equal((await call(site, '/cbv-exempt/', { method: 'POST' })).text(), 'posted');
  });

  it('ListView paginates (?page=2, 404 past the end) and DetailView looks up by slug (404 when absent)', async () => {
    assert.equal((await call(site, '/list/')).text(), 'page 1/2: first');
    assert.equal((await call(site, '/list/?page=2')).text(), 'page 2/2: second');
    assert.equal((await call(site, '/list/?page=3')).status, 404);
    assert.equal((await call(site, '/list/?page=x')).status, 404);
    assert.equal((await call(site, '/post/second/')).text(), 'detail second');
    assert.equal((await call(site, '/post/nope/')).status, 404);
  });
});
