// What the API says when it refuses: people read these through the CLI and the dashboard, so they
// name commands and pages, not API routes; a reason quoted inside a sentence leaves no "..";
// and a request that fails its schema is told what is wrong in words, with the field it is about.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errors } from '../src/errors.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import { call, signup, siteName, type User } from './support/api.js';

test('no declared error names an API route or ends a quoted reason with ".."', () => {
  for (const [name, make] of Object.entries(errors)) {
    // "No route GET /x": the one error about routes, for clients of the API itself.
    if (name === 'notFound') continue;
    // Every argument a sentence that ends in a full stop, as reasons often do.
    const message = (make as (...a: unknown[]) => Error)(...Array.from({ length: make.arity }, () => 'it broke.')).message;
    assert.doesNotMatch(message, /\.\./, `${name}: ${message}`);
    assert.doesNotMatch(message, /\b(GET|POST|PUT|PATCH|DELETE) \/|\/v1\/|:site/, `${name}: ${message}`);
  }
});

describe('schema errors in words', () => {
  let t: TestPlatform;
  let owner: User;
  const site = siteName('words');
  before(async () => {
    t = await startTestPlatform();
    owner = await signup(t.app, 'words');
    assert.equal((await call(t.app, owner.token, 'POST', '/v1/sites', { name: site })).status, 202);
  });
  after(async () => { await t.close(); });

  const refusal = async (method: 'POST' | 'PATCH', url: string, body: unknown) => {
    const r = await call(t.app, owner.token, method, url, body);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'PDK_VALIDATION');
    return r.body.error as { message: string; field?: string };
  };

  test('a number out of range, a missing field, an unknown field, a wrong type and a bad name', async () => {
    assert.deepEqual(await refusal('POST', `/v1/sites/${site}/scale`, { replicas: 0 }), { code: 'PDK_VALIDATION', message: 'The request is invalid: replicas must be at least 1.', field: 'replicas' });
    assert.deepEqual(await refusal('POST', `/v1/sites/${site}/scale`, {}), { code: 'PDK_VALIDATION', message: 'The request is invalid: replicas is missing.', field: 'replicas' });
    assert.equal((await refusal('POST', `/v1/sites/${site}/scale`, { replicas: 1, web: 2 })).message, 'The request is invalid: the body has a field it does not take: "web".');
    assert.equal((await refusal('POST', `/v1/sites/${site}/scale`, { replicas: 'many' })).message, 'The request is invalid: replicas must be a whole number.');
    const badName = await refusal('POST', '/v1/sites', { name: 'Not_A_Label' });
    assert.deepEqual(badName, { code: 'PDK_VALIDATION', message: 'The request is invalid: name must be lowercase letters, digits and inner hyphens, at most 63.', field: 'name' });
    // Not the body: no field to point a form at.
    const query = await call(t.app, owner.token, 'GET', `/v1/sites/${site}/metrics?window=2d`);
    assert.equal(query.status, 400);
    assert.match(query.body.error.message, /^The request is invalid: the query parameter window must be one of 1h, 6h, 24h\.$/);
    assert.equal(query.body.error.field, undefined);
  });
});
