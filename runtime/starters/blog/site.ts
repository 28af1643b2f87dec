// The blog starter: one app (blog) with a list, detail pages, an RSS feed, a JSON endpoint and a form, plus the
// batteries: login (auth + sessions), flash messages, an admin for posts, and a cached list page.
import { defaultMiddleware, defineSite, include, path, sitemapView } from '@paddock/runtime';
import { authApp, authMiddleware, authUrls } from '@paddock/runtime/contrib/auth';
import { DatabaseSessionStore, sessionMiddleware, sessionsApp } from '@paddock/runtime/contrib/sessions';
import { messagesApp, messagesMiddleware } from '@paddock/runtime/contrib/messages';
import { adminApp, adminSite, registerAuthAdmin } from '@paddock/runtime/contrib/admin';
import blogUrls from './blog/urls.js';
import { PostSitemap } from './blog/feeds.js';

registerAuthAdmin(adminSite);

export default defineSite({
  apps: [authApp, sessionsApp, messagesApp, adminApp, 'blog'],
  urls: [
    // Before the blog's '<slug>/' so that 'admin/' and 'accounts/' are never taken for a post.
    include('accounts/', authUrls),
    include('admin/', adminSite.urls),
    include('', blogUrls, { namespace: 'blog' }),
    path('sitemap.xml', sitemapView({ blog: new PostSitemap() }), { name: 'sitemap' }),
  ],
  settings: {
    // Local development uses an embedded Postgres in .paddock/; on the platform DATABASE_URL replaces it.
    DATABASES: { default: { url: 'pglite:.paddock/db' } },
    ALLOWED_HOSTS: ['localhost', '.localhost', '127.0.0.1'],
    // Sessions in the database: they outlive restarts and are shared by every instance even without CACHE_URL
    // (the default cache is then each process's own memory).
    MIDDLEWARE: [...defaultMiddleware, sessionMiddleware({ store: new DatabaseSessionStore() }), messagesMiddleware(), authMiddleware()],
  },
});
