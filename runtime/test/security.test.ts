import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  csrfExempt, defaultMiddleware, isSafeRedirectUrl, json, path, render, Response, rotateCsrfToken, xframeOptionsExempt,
  type Request, type Site,
} from '@paddock/runtime';
import { call, inlineTemplates, csrfFrom, makeSite, type CallOptions } from './helpers/site.js';

// A template engine over in-memory sources, so these tests need no template folders.

let sideEffects = 0;
function formSite(settings: Record<string, unknown> = {}): Site {
  return makeSite({
    urls: [
      path('form/', (req: Request) => render(req, 'form.html')),
      path('submit/', () => { sideEffects++; return json({ saved: true }); }),
      path('hook/', csrfExempt(() => json({ hook: true }))),
      path('login/', (req: Request) => { rotateCsrfToken(req); return json({ in: true }); }),
      path('embed/', xframeOptionsExempt(() => new Response('embeddable'))),
      path('boom/', () => { throw new Error('secret-internal-detail'); }),
    ],
    settings: { TEMPLATES: { BACKEND: inlineTemplates({ 'form.html': '<form method="post">{% csrf_token %}</form>' }) }, ...settings },
  });
}

async function tokenFor(site: Site): Promise<{ cookie: string; token: string }> {
  const page = await call(site, '/form/');
  const t = csrfFrom(page);
  assert.ok(t.cookie.length === 43 && t.token.length === 86, 'the form page sets a CSRF cookie and renders a masked token');
  return t;
}

function post(site: Site, url: string, body: string, headers: Record<string, string>, extra: CallOptions = {}) {
  return call(site, url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, ...extra });
}

describe('CSRF protection', () => {
  const site = formSite();

  it('refuses a POST without a token with 403, before the view runs', async () => {
    const before = sideEffects;
    const res = await post(site, '/submit/', 'title=x', {});
    assert.equal(res.status, 403);
    assert.match(res.text(), /CSRF verification failed/);
    assert.equal(sideEffects, before, 'the view never ran');
  });

  it('accepts a POST carrying the cookie and a masked token from the form', async () => {
    const { cookie, token } = await tokenFor(site);
    const res = await post(site, '/submit/', `title=x&csrfmiddlewaretoken=${token}`, { cookie: `csrftoken=${cookie}` });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text()), { saved: true });
  });

  it('accepts the token in the X-CSRFToken header (scripts), masked or as the raw cookie value', async () => {
    const { cookie, token } = await tokenFor(site);
    for (const t of [token, cookie]) {
      const res = await call(site, '/submit/', { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json', cookie: `csrftoken=${cookie}`, 'x-csrftoken': t } });
      assert.equal(res.status, 200);
    }
  });

  it('masks the token differently on every render, all valid for the same cookie', async () => {
    const a = await call(site, '/form/');
    const { cookie, token } = csrfFrom(a);
    const b = await call(site, '/form/', { headers: { cookie: `csrftoken=${cookie}` } });
    const second = csrfFrom(b).token;
    assert.notEqual(token, second);
    assert.equal(b.cookies.length, 0, 'an existing valid cookie is kept');
    assert.equal((await post(site, '/submit/', `csrfmiddlewaretoken=${second}`, { cookie: `csrftoken=${cookie}` })).status, 200);
  });

  it('refuses a token from another cookie, a tampered token, and a cookie without any token', async () => {
    const a = await tokenFor(site);
    const b = await tokenFor(site);
    assert.equal((await post(site, '/submit/', `csrfmiddlewaretoken=${b.token}`, { cookie: `csrftoken=${a.cookie}` })).status, 403);
    const tampered = (a.token[0] === 'A' ? 'B' : 'A') + a.token.slice(1);
    assert.equal((await post(site, '/submit/', `csrfmiddlewaretoken=${tampered}`, { cookie: `csrftoken=${a.cookie}` })).status, 403);
    assert.equal((await post(site, '/submit/', 'x=1', { cookie: `csrftoken=${a.cookie}` })).status, 403);
    assert.equal((await post(site, '/submit/', `csrfmiddlewaretoken=${a.token}`, {})).status, 403, 'no cookie');
  });

  it('refuses a cross-origin POST even with a valid token and cookie', async () => {
    const { cookie, token } = await tokenFor(site);
    for (const origin of ['http://evil.example', 'null', 'https://testserver', 'http://testserver.evil.example']) {
      const res = await post(site, '/submit/', `csrfmiddlewaretoken=${token}`, { cookie: `csrftoken=${cookie}`, origin });
      assert.equal(res.status, 403, origin);
    }
    const same = await post(site, '/submit/', `csrfmiddlewaretoken=${token}`, { cookie: `csrftoken=${cookie}`, origin: 'http://testserver' });
    assert.equal(same.status, 200);
  });

  it('on https without Origin, requires a same-site https Referer', async () => {
    const { cookie, token } = await tokenFor(site);
    const body = `csrfmiddlewaretoken=${token}`;
    const h = { cookie: `csrftoken=${cookie}` };
    assert.equal((await post(site, '/submit/', body, h, { secure: true })).status, 403, 'no referer');
    assert.equal((await post(site, '/submit/', body, { ...h, referer: 'https://evil.example/x' }, { secure: true })).status, 403);
    assert.equal((await post(site, '/submit/', body, { ...h, referer: 'http://testserver/form/' }, { secure: true })).status, 403, 'http referer');
    assert.equal((await post(site, '/submit/', body, { ...h, referer: 'https://testserver/form/' }, { secure: true })).status, 200);
  });

  it('trusts origins listed in CSRF_TRUSTED_ORIGINS, wildcards included', async () => {
    const s = formSite({ CSRF_TRUSTED_ORIGINS: ['https://*.example.com'] });
    const { cookie, token } = await tokenFor(s);
    const res = await post(s, '/submit/', `csrfmiddlewaretoken=${token}`, { cookie: `csrftoken=${cookie}`, origin: 'https://app.example.com' });
    assert.equal(res.status, 200);
    assert.equal((await post(s, '/submit/', `csrfmiddlewaretoken=${token}`, { cookie: `csrftoken=${cookie}`, origin: 'https://example.com.evil.io' })).status, 403);
  });

  it('lets exempt views through, and uses CSRF_FAILURE_VIEW when set', async () => {
    assert.equal((await post(site, '/hook/', 'x=1', {})).status, 200);
    const s = formSite({ CSRF_FAILURE_VIEW: (_req: Request, { reason }: { reason: string }) => new Response(`custom: ${reason}`) });
    const res = await post(s, '/submit/', 'x=1', {});
    assert.equal(res.status, 403);
    assert.equal(res.text(), 'custom: CSRF cookie not set.');
  });

  it('rotates the secret on login so a token from before no longer works', async () => {
    const { cookie, token } = await tokenFor(site);
    const login = await post(site, '/login/', `csrfmiddlewaretoken=${token}`, { cookie: `csrftoken=${cookie}` });
    assert.equal(login.status, 200);
    const fresh = csrfFrom(login).cookie;
    assert.ok(fresh.length === 43 && fresh !== cookie, 'a new cookie is sent');
    assert.equal((await post(site, '/submit/', `csrfmiddlewaretoken=${token}`, { cookie: `csrftoken=${fresh}` })).status, 403);
  });

  it('refuses unsafe requests to unknown URLs too (403 whatever the view)', async () => {
    assert.equal((await post(site, '/no-such-page/', 'x=1', {})).status, 403);
  });
});

describe('security headers and refusals', () => {
  const site = formSite();
  const expectHeaders = (res: Response, where: string, xfo = true) => {
    assert.equal(res.getHeader('x-content-type-options'), 'nosniff', where);
    assert.equal(res.getHeader('referrer-policy'), 'same-origin', where);
    assert.equal(res.getHeader('cross-origin-opener-policy'), 'same-origin', where);
    if (xfo) assert.equal(res.getHeader('x-frame-options'), 'DENY', where);
  };

  it('puts nosniff, Referrer-Policy, COOP and X-Frame-Options on every kind of response', async () => {
    expectHeaders(await call(site, '/form/'), '200');
    expectHeaders(await call(site, '/missing/'), '404');
    expectHeaders(await call(site, '/form'), '301 append slash');
    expectHeaders(await post(site, '/submit/', '', {}), '403 csrf');
    expectHeaders(await call(site, '/boom/'), '500');
    expectHeaders(await call(site, '/form/', { headers: { host: 'evil.example' } }), '400 bad host');
  });

  it('drops X-Frame-Options only for views exempted from it', async () => {
    const res = await call(site, '/embed/');
    expectHeaders(res, 'exempt', false);
    assert.equal(res.getHeader('x-frame-options'), undefined);
  });

  it('answers 400 to a Host not in ALLOWED_HOSTS, including look-alikes, and honours .domain patterns', async () => {
    for (const host of ['evil.example', 'testserver.evil.example', 'testserver@evil.example', 'evil.example#testserver', '']) {
      assert.equal((await call(site, '/form/', { headers: { host } })).status, 400, host);
    }
    assert.equal((await call(site, '/form/', { headers: { host: 'testserver:8080' } })).status, 200);
    const s = makeSite({ urls: [path('', () => new Response('ok'))], settings: { ALLOWED_HOSTS: ['.example.com'] } });
    assert.equal((await call(s, '/', { headers: { host: 'a.b.example.com' } })).status, 200);
    assert.equal((await call(s, '/', { headers: { host: 'example.com' } })).status, 200);
    assert.equal((await call(s, '/', { headers: { host: 'badexample.com' } })).status, 400);
  });

  it('shows no stack trace or error message unless DEBUG is on', async () => {
    const res = await call(site, '/boom/');
    assert.equal(res.status, 500);
    assert.doesNotMatch(res.text(), /secret-internal-detail|at .*\.ts/);
    const debug = formSite({ DEBUG: true });
    const dres = await call(debug, '/boom/');
    assert.match(dres.text(), /secret-internal-detail/);
  });

  it('adds HSTS on https only, and redirects http to https when SECURE_SSL_REDIRECT is on', async () => {
    const s = formSite({ SECURE_HSTS_SECONDS: 3600, SECURE_HSTS_INCLUDE_SUBDOMAINS: true, SECURE_SSL_REDIRECT: true, SECURE_PROXY_SSL_HEADER: ['x-forwarded-proto', 'https'] });
    const http = await call(s, '/form/?a=1');
    assert.equal(http.status, 301);
    assert.equal(http.getHeader('location'), 'https://testserver/form/?a=1');
    assert.equal(http.getHeader('strict-transport-security'), undefined);
    const https = await call(s, '/form/', { headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(https.status, 200);
    assert.equal(https.getHeader('strict-transport-security'), 'max-age=3600; includeSubDomains');
    assert.equal((await call(formSite(), '/form/', { headers: { 'x-forwarded-proto': 'https' } })).getHeader('strict-transport-security'), undefined,
      'without SECURE_PROXY_SSL_HEADER a client cannot claim https');
  });

  it('keeps the default middleware in Django order with security first', () => {
    assert.equal(defaultMiddleware[0]?.name, 'securityMiddleware');
  });
});

describe('redirect targets from user input', () => {
  const opts = { allowedHosts: ['testserver', 'app.example.com:8443'] };
  it('accepts relative paths and allowed hosts', () => {
    for (const ok of ['/next/', 'next', '/a?b=c#d', 'http://testserver/x', 'https://app.example.com:8443/', '//testserver/x']) {
      assert.equal(isSafeRedirectUrl(ok, opts), true, ok);
    }
  });
  it('refuses other hosts, other schemes and the browser tricks that reach them', () => {
    for (const bad of ['//evil.example', '/\\evil.example', '\\\\evil.example', '///evil.example', 'http://evil.example', 'https:evil.example',
      'javascript:alert(1)', ' javascript:alert(1)', 'data:text/html,x', '/x\nLocation: //evil', 'http://testserver@evil.example/', '', null,
      'https://app.example.com/', 'http://testserver.evil.example']) {
      assert.equal(isSafeRedirectUrl(bad, opts), false, String(bad));
    }
    assert.equal(isSafeRedirectUrl('http://testserver/', { ...opts, requireHttps: true }), false);
  });
});
