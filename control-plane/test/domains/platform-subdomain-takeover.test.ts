// Attacks on custom domains: names under the platform's own domain verify without DNS, so
// another organisation must not be able to claim one that belongs to someone else's site.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { call, signup, siteName, type User } from '../support/api.js';

let t: TestPlatform;
let victim: User;
let attacker: User;
let victimSite: string;
let attackerSite: string;
let domain: string;

before(async () => {
  t = await startTestPlatform();
  domain = t.platform.config.siteDomain;
  victim = await signup(t.app, 'victim');
  attacker = await signup(t.app, 'attacker');
  victimSite = siteName('victim');
  attackerSite = siteName('attacker');
  assert.equal((await call(t.app, victim.token, 'POST', '/v1/sites', { name: victimSite })).status, 202);
  assert.equal((await call(t.app, attacker.token, 'POST', '/v1/sites', { name: attackerSite })).status, 202);
});
after(() => t.close());

test("a name under another site's platform subdomain cannot be attached (it would verify at once)", async () => {
  for (const host of [`www.${victimSite}.${domain}`, `a.b.${victimSite}.${domain}`, `${victimSite}.${domain}`]) {
    const res = await call(t.app, attacker.token, 'POST', `/v1/sites/${attackerSite}/domains`, { hostname: host });
    assert.equal(res.status, 409, `${host}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, 'PDK_DOMAIN_TAKEN');
  }
  const rows = await t.platform.db.selectFrom('site_domains').select(['host']).where('host', 'like', `%${victimSite}.${domain}`).execute();
  assert.deepEqual(rows, [], 'nothing recorded for the victim\'s names');
});

test('a site may attach names under its own platform subdomain, verified at once', async () => {
  const res = await call(t.app, attacker.token, 'POST', `/v1/sites/${attackerSite}/domains`, { hostname: `www.${attackerSite}.${domain}` });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.verified, true);
});
