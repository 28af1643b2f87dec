// The blog starter: one app (blog) with a list, detail pages, an RSS feed, a JSON endpoint and a form.
import { defineSite, include, path, sitemapView } from '@paddock/runtime';
import blogUrls from './blog/urls.js';
import { PostSitemap } from './blog/feeds.js';

export default defineSite({
  apps: ['blog'],
  urls: [
    include('', blogUrls, { namespace: 'blog' }),
    path('sitemap.xml', sitemapView({ blog: new PostSitemap() }), { name: 'sitemap' }),
  ],
  settings: {
    // Local development uses an embedded Postgres in .paddock/; on the platform DATABASE_URL replaces it.
    DATABASES: { default: { url: 'pglite:.paddock/db' } },
    ALLOWED_HOSTS: ['localhost', '.localhost', '127.0.0.1'],
  },
});
