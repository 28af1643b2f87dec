// The blog's URLs, mounted under the 'blog' namespace by site.ts.
import { path } from '@paddock/runtime';
import { LatestPostsFeed } from './feeds.js';
import { detail, index, newPost, postsJson } from './views.js';

export default [
  path('', index, { name: 'index' }),
  path('feed/', new LatestPostsFeed(), { name: 'feed' }),
  path('posts.json', postsJson, { name: 'posts-json' }),
  path('new/', newPost, { name: 'new' }),
  path('<slug:slug>/', detail, { name: 'detail' }),
];
