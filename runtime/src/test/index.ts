// @paddock/runtime/test: the test toolkit (Django's django.test), for tests run by `paddock test`.
//
//   // blog/tests.ts
//   import { test } from 'node:test';
//   import { Client, assertContains, assertTemplateUsed } from '@paddock/runtime/test';
//   import { Post } from './models.js';
//
//   test('the index lists published posts', async () => {
//     await Post.objects.create({ title: 'Hello', slug: 'hello', body: '...', published: new Date() });
//     const res = await new Client().get('/');
//     assertContains(res, 'Hello');
//     assertTemplateUsed(res, 'blog/index.html');
//   });
//
// Each test runs inside a transaction rolled back at its end, on a copy of the migrated test database made for the
// run; mail goes to mail.outbox. See docs/topics/testing.md.
export {
  Client, TestResponse, type ClientOptions, type RequestOptions, type BodyOptions, type RequestBody, type FormValues, type UploadFile,
} from './client.js';
export {
  assertContains, assertNotContains, assertRedirects, assertTemplateUsed, assertTemplateNotUsed, assertNumQueries, assertFormError,
  type ContainsOptions, type RedirectOptions, type FormLike,
} from './assertions.js';
export {
  mail, testSite, useFixtures, loadFixtures, overrideSettings, useSettings, captureOnCommitCallbacks,
} from './environment.js';
export type { TemplateRendered } from '../templates/engine.js';
