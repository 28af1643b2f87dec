// The blog's pages: the list, one post (HTML or JSON by Accept), a JSON endpoint, and a form to write a post
// (urls.ts caches the list and lets only logged-in users reach the form).
import { get404, json, negotiate, redirect, render, type Request } from '@paddock/runtime';
import { messages } from '@paddock/runtime/contrib/messages';
import { publishedPosts } from './feeds.js';
import { Post } from './models.js';

export async function index(req: Request) {
  const posts = await publishedPosts().limit(20);
  return render(req, 'blog/index.html', { posts });
}

export async function detail(req: Request, { slug }: { slug: string }) {
  const post = await get404(publishedPosts().get({ slug }));
  return negotiate(req, {
    'text/html': () => render(req, 'blog/detail.html', { post }),
    'application/json': () => json(toJson(post)),
  });
}

type PostRow = Awaited<ReturnType<typeof Post.objects.get>>;

function toJson(p: PostRow) {
  return { title: p.title, slug: p.slug, body: p.body, author: p.author, published: p.published?.toISOString() ?? null };
}

export async function postsJson(_req: Request) {
  const posts = await publishedPosts().limit(20);
  return json({ posts: posts.map(toJson) });
}

const SLUG_RE = /^[-a-z0-9_]+$/;

export function validatePost(form: URLSearchParams): { data: { title: string; slug: string; body: string; author: string }; errors: Record<string, string> } {
  const data = {
    title: (form.get('title') ?? '').trim(),
    slug: (form.get('slug') ?? '').trim().toLowerCase(),
    body: (form.get('body') ?? '').trim(),
    author: (form.get('author') ?? '').trim(),
  };
  const errors: Record<string, string> = {};
  if (!data.title) errors.title = 'Give the post a title.';
  else if (data.title.length > 200) errors.title = 'Keep the title under 200 characters.';
  if (!SLUG_RE.test(data.slug)) errors.slug = 'Use lower-case letters, digits, - and _ only.';
  if (!data.body) errors.body = 'Write something.';
  if (data.author.length > 100) errors.author = 'Keep the name under 100 characters.';
  return { data, errors };
}

export async function newPost(req: Request) {
  if (req.method !== 'POST') return render(req, 'blog/form.html', { values: {}, errors: {} });
  const { data, errors } = validatePost(req.form);
  if (!errors.slug && await Post.objects.filter({ slug: data.slug }).exists()) errors.slug = 'A post with this slug exists already.';
  if (Object.keys(errors).length > 0) return render(req, 'blog/form.html', { values: data, errors }, { status: 400 });
  // The writer's username stands in for a name left blank.
  const username = (req.user as { username?: unknown } | undefined)?.username;
  if (!data.author && typeof username === 'string') data.author = username.slice(0, 100);
  await Post.objects.create({ ...data, published: new Date() });
  messages.success(req, `Published “${data.title}”.`);
  return redirect(req.reverse('blog:detail', { slug: data.slug }));
}
