// The blog's admin: posts with their title, slug, author and date as columns, searchable by title, body and author,
// filtered by publication date (today, this week, this month, this year, a range, or drafts without a date) and
// browsed by year, month and day.
import { adminSite } from '@paddock/runtime/contrib/admin';
import { Post } from './models.js';

adminSite.register(Post, {
  listDisplay: ['title', 'slug', 'author', 'published'],
  searchFields: ['title', 'body', 'author'],
  listFilter: ['published'],
  dateHierarchy: 'published',
  ordering: ['-published'],
  listPerPage: 50,
});
