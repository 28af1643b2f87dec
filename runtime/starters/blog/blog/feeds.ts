// The blog's RSS feed and sitemap section.
import { Feed, reverse, Sitemap } from '@paddock/runtime';
import { Post } from './models.js';

type PostRow = Awaited<ReturnType<typeof Post.objects.get>>;

export function publishedPosts() {
  return Post.objects.filter({ published__lte: new Date() });
}

export class LatestPostsFeed extends Feed<PostRow> {
  override title = 'Latest posts';
  override link = '/';
  override description = 'New posts on this blog.';

  items() { return publishedPosts().limit(20); }
  itemTitle(post: PostRow) { return post.title; }
  itemLink(post: PostRow) { return reverse('blog:detail', { slug: post.slug }); }
  override itemDescription(post: PostRow) { return post.body; }
  override itemPubdate(post: PostRow) { return post.published; }
  override itemAuthorName(post: PostRow) { return post.author || null; }
}

export class PostSitemap extends Sitemap<PostRow> {
  override changefreq = 'weekly' as const;
  items() { return publishedPosts(); }
  location(post: PostRow) { return reverse('blog:detail', { slug: post.slug }); }
  override lastmod(post: PostRow) { return post.published; }
}
