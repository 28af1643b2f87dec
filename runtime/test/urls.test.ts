import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { include, json, NoReverseMatch, path, registerConverter, Response, URLResolver, type Request } from '@paddock/runtime';
import { call, makeSite } from './helpers/site.js';

const ok = (label: string) => (_req: Request, params: Record<string, unknown>) => json({ label, params });

describe('URL resolution', () => {
  const posts = [
    path('', ok('index'), { name: 'index' }),
    path('<int:id>/', ok('by-id'), { name: 'detail' }),
    path('<slug:slug>/', ok('by-slug'), { name: 'by-slug' }),
    path('files/<path:rest>', ok('files'), { name: 'files' }),
  ];
  const resolver = new URLResolver([
    path('', ok('home'), { name: 'home' }),
    path('u/<uuid:id>/', ok('uuid'), { name: 'user' }),
    path('tag/<str:tag>/', ok('tag'), { name: 'tag' }),
    include('posts/', posts, { namespace: 'blog' }),
    include('nested/', [include('inner/', [path('x/', ok('x'), { name: 'x' })], { namespace: 'in' })], { namespace: 'out' }),
  ]);

  it('matches converters and converts values to their types', () => {
    assert.deepEqual(resolver.resolve('/posts/42/')?.params, { id: 42 });
    assert.equal(resolver.resolve('/posts/42/')?.name, 'blog:detail');
    assert.deepEqual(resolver.resolve('/posts/hello-world_2/')?.params, { slug: 'hello-world_2' });
    assert.deepEqual(resolver.resolve('/posts/files/a/b/c.txt')?.params, { rest: 'a/b/c.txt' });
    assert.deepEqual(resolver.resolve('/u/123e4567-e89b-12d3-a456-426614174000/')?.params, { id: '123e4567-e89b-12d3-a456-426614174000' });
    assert.equal(resolver.resolve('/u/not-a-uuid/'), null);
    assert.equal(resolver.resolve('/tag/a/b/'), null, 'str never spans a slash');
    assert.equal(resolver.resolve('/posts/bad slug/'), null, 'slug refuses spaces');
    assert.equal(resolver.resolve('/')?.name, 'home');
    assert.equal(resolver.resolve('/nested/inner/x/')?.name, 'out:in:x');
  });

  it('takes the first matching pattern in URL-conf order, static or not', () => {
    const r = new URLResolver([path('<slug:s>/', ok('dynamic')), path('about/', ok('static'))]);
    assert.equal(r.resolve('/about/')?.route, '<slug:s>/');
    const r2 = new URLResolver([path('about/', ok('static')), path('<slug:s>/', ok('dynamic'))]);
    assert.equal(r2.resolve('/about/')?.route, 'about/');
  });

  it('reverses names with params, namespaces included, and refuses values the converter would not match', () => {
    assert.equal(resolver.reverse('home'), '/');
    assert.equal(resolver.reverse('blog:detail', { id: 7 }), '/posts/7/');
    assert.equal(resolver.reverse('blog:by-slug', { slug: 'hi-there' }), '/posts/hi-there/');
    assert.equal(resolver.reverse('blog:files', { rest: 'a/b c' }), '/posts/files/a/b%20c');
    assert.equal(resolver.reverse('tag', { tag: 'a?b' }), '/tag/a%3Fb/');
    assert.equal(resolver.reverse('out:in:x'), '/nested/inner/x/');
    assert.throws(() => resolver.reverse('blog:detail', { id: 'abc' }), NoReverseMatch);
    assert.throws(() => resolver.reverse('detail', { id: 1 }), NoReverseMatch, 'namespace is part of the name');
    assert.throws(() => resolver.reverse('blog:detail', {}), NoReverseMatch);
  });

  it('round-trips reverse → resolve for every converter', () => {
    for (const [name, params] of [['blog:detail', { id: 12 }], ['blog:by-slug', { slug: 'x-y' }], ['user', { id: '123e4567-e89b-12d3-a456-426614174000' }]] as const) {
      const url = resolver.reverse(name, params);
      assert.deepEqual(resolver.resolve(url)?.params, params);
    }
  });

  it('supports custom converters, and a converter that throws means no match', () => {
    registerConverter('year', { regex: '[0-9]{4}', toValue: (s) => { const n = Number(s); if (n < 1900) throw new Error('too old'); return n; }, toUrl: (v) => String(v) });
    const r = new URLResolver([path('archive/<year:y>/', ok('year'), { name: 'archive' })]);
    assert.deepEqual(r.resolve('/archive/2024/')?.params, { y: 2024 });
    assert.equal(r.resolve('/archive/1800/'), null);
    assert.equal(r.reverse('archive', { y: 1999 }), '/archive/1999/');
  });

  it('refuses routes that start with a slash and unknown converters, with a message saying what to write', () => {
    assert.throws(() => path('/x/', ok('x')), /write 'x\/'/);
    assert.throws(() => new URLResolver([path('<nope:x>/', ok('x'))]), /unknown converter 'nope'/);
  });
});

describe('URL handling in a site', () => {
  const site = makeSite({
    urls: [
      path('posts/', ok('posts'), { name: 'posts' }),
      path('posts/<int:id>/', async (_req, { id }) => new Response(`post ${id + 1}`), { name: 'post' }),
    ],
  });

  it('redirects a missing trailing slash permanently when the slashed path exists (APPEND_SLASH)', async () => {
    const res = await call(site, '/posts?page=2');
    assert.equal(res.status, 301);
    assert.equal(res.getHeader('location'), '/posts/?page=2');
    assert.equal((await call(site, '/nothing')).status, 404);
  });

  it('never turns APPEND_SLASH into an off-site redirect', async () => {
    const s = makeSite({ urls: [path('<path:p>/', ok('any'))] });
    const res = await call(s, '//evil.example');
    assert.equal(res.status, 301);
    assert.equal(res.getHeader('location'), '/evil.example/');
  });

  it('passes typed params to views', async () => {
    const res = await call(site, '/posts/41/');
    assert.equal(res.text(), 'post 42');
  });
});
