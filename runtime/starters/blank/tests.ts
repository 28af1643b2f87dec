// The site's tests: `paddock test` runs every tests.ts, test_*.ts and *.test.ts file of the site with Node's test
// runner, on a test database made for the run. Add an app's tests beside it (blog/tests.ts). See
// docs/topics/testing.md in the Paddock repository.
import { test } from 'node:test';
import { Client, assertContains, assertTemplateUsed } from '@paddock/runtime/test';

test('the home page says it works', async () => {
  const res = await new Client().get('/');
  assertContains(res, 'It works.');
  assertTemplateUsed(res, 'home.html');
});

test('an unknown page is not found', async () => {
  const res = await new Client().get('/no-such-page/');
  assertContains(res, 'Page not found', { status: 404 });
});
