import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { app, clickjackingMiddleware, path, Response } from '@paddock/runtime';
import { CHECK_IDS, formatChecks, runChecks } from '../src/checks/checks.js';
import { call, makeSite, TEST_SECRET } from './helpers/site.js';

const urls = [path('', () => new Response('ok'), { name: 'home' })];
const ids = (site: ReturnType<typeof makeSite>, deploy = true) => runChecks(site, { deploy }).map((m) => m.id);

describe('system checks', () => {
  it('pass a hardened production site with no issues', () => {
    const site = makeSite({
      urls,
      settings: {
        SECRET_KEY: TEST_SECRET, ALLOWED_HOSTS: ['example.com'], SECURE_HSTS_SECONDS: 31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS: true,
        SECURE_SSL_REDIRECT: true, SESSION_COOKIE_SECURE: true, CSRF_COOKIE_SECURE: true,
      },
    });
    assert.deepEqual(runChecks(site, { deploy: true }), []);
    assert.equal(formatChecks([]), 'System check identified no issues.');
  });

  it('report missing security middleware, weak keys, debug, no hosts and insecure cookies by stable ID', () => {
    const site = makeSite({ urls, settings: { MIDDLEWARE: [clickjackingMiddleware], SECRET_KEY: 'aaaaaaaaaa', ALLOWED_HOSTS: [] }, env: { DEBUG: 'true' } });
    const got = ids(site);
    for (const id of [CHECK_IDS.NO_SECURITY_MIDDLEWARE, CHECK_IDS.NO_CSRF_MIDDLEWARE, CHECK_IDS.HSTS_UNSET, CHECK_IDS.NO_SSL_REDIRECT,
      CHECK_IDS.WEAK_SECRET_KEY, CHECK_IDS.SESSION_COOKIE_INSECURE, CHECK_IDS.CSRF_COOKIE_INSECURE, CHECK_IDS.DEBUG_ON]) {
      assert.ok(got.includes(id), id);
    }
    assert.ok(!got.includes(CHECK_IDS.NO_CLICKJACKING_MIDDLEWARE));
    assert.equal(CHECK_IDS.HSTS_UNSET, 'security.W004', 'IDs are Django\'s, stable');
    const noHosts = makeSite({ urls, settings: { ALLOWED_HOSTS: [] } });
    assert.ok(ids(noHosts).includes('security.W020'));
    assert.match(formatChecks(runChecks(site, { deploy: true })), /\?: \(security\.W018\) DEBUG is on/);
  });

  it('only run deploy checks with --deploy, and flag a missing app folder as an error', () => {
    const site = makeSite({ urls, apps: [app('ghost', '/nonexistent/ghost')] });
    const msgs = runChecks(site);
    assert.deepEqual(msgs.map((m) => [m.id, m.level]), [['apps.E001', 'error']]);
  });
});

describe('HEAD requests', () => {
  it('run the GET view and keep its headers', async () => {
    const site = makeSite({ urls });
    const res = await call(site, '/', { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.getHeader('x-frame-options'), 'DENY');
  });
});
