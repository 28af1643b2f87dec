// The blog's URLs, mounted under the 'blog' namespace by site.ts: the list is cached, the form needs a login.
import { path } from '@paddock/runtime';
import { loginRequired } from '@paddock/runtime/contrib/auth';
import { cachedList } from './cache.js';
import { LatestPostsFeed } from './feeds.js';
import { detail, index, newPost, postsJson } from './views.js';

export default [
  path('', cachedList(index), { name: 'index' }),
  path('feed/', new LatestPostsFeed(), { name: 'feed' }),
  path('posts.json', postsJson, { name: 'posts-json' }),
  path('new/', loginRequired(newPost), { name: 'new' }),
  path('<slug:slug>/', detail, { name: 'detail' }),
];
