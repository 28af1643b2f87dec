// The blog's admin: posts with their title, slug, author and date as columns, searchable by title, body and author.
import { adminSite } from '@paddock/runtime/contrib/admin';
import { Post } from './models.js';

adminSite.register(Post, {
  listDisplay: ['title', 'slug', 'author', 'published'],
  search: ['title', 'body', 'author'],
  ordering: ['-published'],
  listPerPage: 50,
});
