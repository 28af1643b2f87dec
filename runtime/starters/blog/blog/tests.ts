// The blog's tests: `paddock test` runs them (or `paddock test blog` for this app only), each inside a transaction
// rolled back at its end, on a test database made for the run. See docs/topics/testing.md in the Paddock repository.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSuperuser } from '@paddock/runtime/contrib/auth';
import {
  Client, assertContains, assertNotContains, assertNumQueries, assertRedirects, assertTemplateUsed, useFixtures,
} from '@paddock/runtime/test';
import { Post } from './models.js';

// blog/fixtures/posts.json: a published post and a draft, loaded once for this file.
useFixtures('posts.json');

describe('reading', () => {
  test('the list shows published posts, not drafts', async () => {
    const res = await new Client().get('/');
    assertContains(res, 'Hello, Paddock');
    assertNotContains(res, 'A draft');
    assertTemplateUsed(res, 'blog/index.html');
    assertTemplateUsed(res, 'base.html');
    assert.equal((res.context.posts as unknown[]).length, 1);
  });

  test('a post has its page, and answers JSON to Accept: application/json', async () => {
    const client = new Client();
    assertContains(await client.get('/hello-paddock/'), 'The first post of this blog.');
    const res = await client.get('/hello-paddock/', { headers: { accept: 'application/json' } });
    assert.equal(res.json<{ title: string }>().title, 'Hello, Paddock');
  });

  test('a draft or an unknown post is not found', async () => {
    const client = new Client();
    assert.equal((await client.get('/a-draft/')).status, 404);
    assert.equal((await client.get('/no-such-post/')).status, 404);
  });

  test('the list costs one query, however many posts there are', async () => {
    await Post.objects.create({ title: 'Second', slug: 'second', body: '...', published: new Date() });
    await assertNumQueries(1, () => new Client().get('/posts.json'));
  });
});

describe('writing', () => {
  test('the form needs a login', async () => {
    const res = await new Client().get('/new/');
    await assertRedirects(res, '/accounts/login/?next=%2Fnew%2F');
  });

  test('a signed-in writer publishes a post and lands on it', async () => {
    const client = new Client();
    await client.forceLogin(await createSuperuser({ username: 'ada', password: null }));
    const res = await client.post('/new/', { title: 'Fresh', slug: 'fresh', body: 'Just written.' }, { follow: true });
    await assertRedirects(res, '/fresh/');
    assertContains(res, 'Just written.');
    assertContains(res, 'Published “Fresh”.');
    assert.equal((await Post.objects.get({ slug: 'fresh' })).author, 'ada');
  });

  test('a post with a taken slug is refused, with the reason next to the field', async () => {
    const client = new Client();
    await client.forceLogin(await createSuperuser({ username: 'ada', password: null }));
    const res = await client.post('/new/', { title: 'Again', slug: 'hello-paddock', body: 'Same slug.' });
    assertContains(res, 'A post with this slug exists already.', { status: 400 });
    assert.equal(await Post.objects.filter({ title: 'Again' }).exists(), false);
  });
});
