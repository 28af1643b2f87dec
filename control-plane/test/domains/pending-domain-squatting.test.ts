// Attack: an organisation claims a custom domain it does not own and leaves the claim pending
// forever; the domain's real owner must still be able to add it and verify it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { call, signup, siteName, type User } from '../support/api.js';

let t: TestPlatform;
let owner: User;
let squatter: User;
let ownerSite: string;
let squatterSite: string;

before(async () => {
  t = await startTestPlatform();
  owner = await signup(t.app, 'dom-owner');
  squatter = await signup(t.app, 'dom-squatter');
  ownerSite = siteName('shop');
  squatterSite = siteName('squat');
  assert.equal((await call(t.app, owner.token, 'POST', '/v1/sites', { name: ownerSite })).status, 202);
  assert.equal((await call(t.app, squatter.token, 'POST', '/v1/sites', { name: squatterSite })).status, 202);
});
after(() => t.close());

test("a pending claim by another organisation does not keep the domain's owner from adding it", async () => {
  const host = `shop-${randomBytes(4).toString('hex')}.example.com`;
  const squat = await call(t.app, squatter.token, 'POST', `/v1/sites/${squatterSite}/domains`, { hostname: host });
  assert.equal(squat.status, 201);
  assert.equal(squat.body.verified, false);

  const mine = await call(t.app, owner.token, 'POST', `/v1/sites/${ownerSite}/domains`, { hostname: host });
  assert.equal(mine.status, 201, JSON.stringify(mine.body));
  assert.equal(mine.body.verified, false);
  assert.notEqual(mine.body.verification.value, squat.body.verification.value, 'each claim proves itself with its own token');
  // Adding it again to the same site is still refused.
  assert.equal((await call(t.app, owner.token, 'POST', `/v1/sites/${ownerSite}/domains`, { hostname: host })).status, 409);
});

test('a domain verified by one site cannot be claimed by another', async () => {
  const host = `taken-${randomBytes(4).toString('hex')}.example.com`;
  assert.equal((await call(t.app, owner.token, 'POST', `/v1/sites/${ownerSite}/domains`, { hostname: host })).status, 201);
  await t.platform.db.updateTable('site_domains').set({ verified_at: new Date() }).where('host', '=', host).execute(); // as the TXT check would
  const late = await call(t.app, squatter.token, 'POST', `/v1/sites/${squatterSite}/domains`, { hostname: host });
  assert.equal(late.status, 409);
  assert.equal(late.body.error.code, 'PDK_DOMAIN_TAKEN');
});
