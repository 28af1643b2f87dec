// The request path's fast lane (hook middleware run in one step, synchronous answers, lazy CSRF state) keeps the
// behaviour of the plain nested chain: order, early answers, errors, headers on every response, over HTTP too.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';
import {
  buildChain, defaultMiddleware, Http404, json, path, PermissionDenied, Response, securityMiddleware, type Middleware,
  type MiddlewareContext, type Request, type Site, hookMiddleware,
} from '@paddock/runtime';
import { createServer } from '@paddock/runtime/host';
import { call, makeSite } from './helpers/site.js';

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin', 'cross-origin-opener-policy': 'same-origin', 'x-frame-options': 'DENY',
};

function assertSecurityHeaders(get: (name: string) => string | null | undefined, what: string): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) assert.equal(get(name), value, `${name} on ${what}`);
}

describe('middleware chain with hook and wrapping layers mixed', () => {
  function tracing(log: string[]) {
    const hook = (name: string, opts: { answer?: boolean; throwIn?: boolean; throwOut?: boolean } = {}): Middleware =>
      hookMiddleware(name, () => ({
        before(_req: Request) {
          log.push(`${name} in`);
          if (opts.throwIn) throw new PermissionDenied(`${name} refuses`);
          return opts.answer ? new Response(`answered by ${name}`, { status: 401 }) : undefined;
        },
        after(_req: Request, res: Response) {
          log.push(`${name} out ${res.status}`);
          if (opts.throwOut) throw new Error(`${name} failed on the way out`);
          res.setHeader(`x-${name}`, 'seen');
        },
      }));
    const wrap = (name: string): Middleware => (next) => async (req) => {
      log.push(`${name} in`);
      const res = await next(req);
      log.push(`${name} out ${res.status}`);
      res.setHeader(`x-${name}`, 'seen');
      return res;
    };
    return { hook, wrap };
  }

  for (const kind of ['synchronous', 'async'] as const) {
    it(`runs every layer in list order in and reverse order out around a ${kind} view`, async () => {
      const log: string[] = [];
      const { hook, wrap } = tracing(log);
      const view = kind === 'async'
        ? async () => { log.push('view'); return new Response('ok'); }
        : () => { log.push('view'); return new Response('ok'); };
      const s = makeSite({
        urls: [path('', view)],
        settings: { MIDDLEWARE: [...defaultMiddleware, hook('a'), wrap('b'), hook('c'), hook('d'), wrap('e')] },
      });
      const res = await call(s, '/');
      assert.deepEqual(log, ['a in', 'b in', 'c in', 'd in', 'e in', 'view', 'e out 200', 'd out 200', 'c out 200', 'b out 200', 'a out 200']);
      for (const n of ['a', 'b', 'c', 'd', 'e']) assert.equal(res.getHeader(`x-${n}`), 'seen');
      assertSecurityHeaders((n) => res.getHeader(n), `a ${kind} view's response`);
    });
  }

  it('an answer from a before hook skips inner layers, the view and its own after; outer layers see it', async () => {
    const log: string[] = [];
    const { hook, wrap } = tracing(log);
    let viewRan = false;
    const s = makeSite({
      urls: [path('', () => { viewRan = true; return new Response('ok'); })],
      settings: { MIDDLEWARE: [...defaultMiddleware, hook('a'), wrap('b'), hook('c', { answer: true }), hook('d'), wrap('e')] },
    });
    const res = await call(s, '/');
    assert.equal(res.status, 401);
    assert.equal(res.text(), 'answered by c');
    assert.equal(viewRan, false);
    assert.deepEqual(log, ['a in', 'b in', 'c in', 'b out 401', 'a out 401']);
    assertSecurityHeaders((n) => res.getHeader(n), 'an early answer');
  });

  it('an exception in a before or after hook becomes the error page at that layer, and outer layers decorate it', async () => {
    const log: string[] = [];
    const { hook } = tracing(log);
    const refusing = makeSite({
      urls: [path('', () => new Response('ok'))],
      settings: { MIDDLEWARE: [...defaultMiddleware, hook('a'), hook('b', { throwIn: true }), hook('c')] },
    });
    const refused = await call(refusing, '/');
    assert.equal(refused.status, 403);
    assert.deepEqual(log, ['a in', 'b in', 'a out 403']);
    assertSecurityHeaders((n) => refused.getHeader(n), 'a refusal raised in a before hook');

    log.length = 0;
    const failing = makeSite({
      urls: [path('', () => new Response('ok'))],
      settings: { MIDDLEWARE: [...defaultMiddleware, hook('a'), hook('b', { throwOut: true }), hook('c')] },
    });
    const failed = await call(failing, '/');
    assert.equal(failed.status, 500);
    assert.deepEqual(log, ['a in', 'b in', 'c in', 'c out 200', 'b out 200', 'a out 500']);
    assert.equal(failed.getHeader('x-a'), 'seen', 'the outer layer decorated the error page');
    assert.equal(failed.getHeader('x-c'), undefined, 'the failed response was replaced, not patched');
    assertSecurityHeaders((n) => failed.getHeader(n), 'a failure raised in an after hook');
  });

  it('takes views answering synchronously, asynchronously or with a thenable; anything else is a 500 naming the route', async () => {
    const s = makeSite({
      urls: [
        path('sync/', () => new Response('sync')),
        path('async/', async () => new Response('async')),
        path('thenable/', (() => ({ then: (ok: (r: Response) => void) => ok(new Response('thenable')) })) as never),
        path('missing/', () => { throw new Http404('no such thing'); }),
        path('text/', (() => 'just text') as never, { name: 'text' }),
        path('nothing/', (async () => undefined) as never),
      ],
    });
    assert.equal((await call(s, '/sync/')).text(), 'sync');
    assert.equal((await call(s, '/async/')).text(), 'async');
    assert.equal((await call(s, '/thenable/')).text(), 'thenable');
    const missing = await call(s, '/missing/');
    assert.equal(missing.status, 404);
    assertSecurityHeaders((n) => missing.getHeader(n), 'a 404 raised synchronously');
    for (const url of ['/text/', '/nothing/']) {
      const res = await call(s, url);
      assert.equal(res.status, 500, url);
      assertSecurityHeaders((n) => res.getHeader(n), `the 500 for ${url}`);
    }
    const debug = makeSite({ urls: [path('text/', (() => 'just text') as never)], settings: { DEBUG: true } });
    assert.match((await call(debug, '/text/')).text(), /The view for &#39;text\/&#39; returned string; views must return a Response/);
  });

  it('answers a synchronous site without a promise, and an async view with one', async () => {
    const s = makeSite({ urls: [path('', () => new Response('now')), path('later/', async () => new Response('later'))] });
    const req = (url: string) => s.request({ method: 'GET', url, headers: { host: 'testserver' }, body: null, ip: '127.0.0.1', encrypted: false });
    const now = s.dispatch(req('/'));
    assert.ok(now instanceof Response, 'no async hop for a synchronous view behind the default middleware');
    assertSecurityHeaders((n) => now.getHeader(n), 'the synchronous answer');
    const later = s.dispatch(req('/later/'));
    assert.ok(later instanceof Promise);
    const res = await later;
    assertSecurityHeaders((n) => res.getHeader(n), 'the async answer');
  });

  it('keeps hook middleware usable as plain wrapping factories, and buildChain answering with a promise', async () => {
    const s = makeSite({ urls: [path('', () => new Response('ok'))] });
    const ctx: MiddlewareContext = { settings: s.settings, errorResponse: (req, err) => s.errorResponse(req, err) };
    const req = s.request({ method: 'GET', url: '/', headers: { host: 'testserver' }, body: null, ip: '127.0.0.1', encrypted: false });
    const wrapped = securityMiddleware(async () => new Response('inner'), ctx);
    const res = await wrapped(req);
    assert.equal(res.text(), 'inner');
    assert.equal(res.getHeader('x-content-type-options'), 'nosniff');
    const chain = buildChain(async () => new Response('view'), defaultMiddleware, ctx);
    const p = chain(req);
    assert.ok(p instanceof Promise);
    const viaChain = await p;
    assertSecurityHeaders((n) => viaChain.getHeader(n), 'buildChain');
    assert.equal(defaultMiddleware.map((m) => m.name).join(','), 'securityMiddleware,clickjackingMiddleware,commonMiddleware,csrfMiddleware');
  });
});

describe('CSRF state made on demand', () => {
  const site = makeSite({
    urls: [
      path('plain/', () => new Response('no form here')),
      path('form/', (req: Request) => json({ a: req.csrfToken(), b: req.csrfToken() })),
      path('wrapped/', (req: Request) => {
        const original = req.csrfToken;
        let calls = 0;
        req.csrfToken = () => { calls++; return original(); };
        const token = req.csrfToken();
        req.csrfToken = original;
        return json({ token, calls, again: req.csrfToken() === token });
      }),
    ],
  });

  it('sends no cookie and no Vary when no token was used, and both once when one was', async () => {
    const plain = await call(site, '/plain/');
    assert.deepEqual(plain.cookies, []);
    assert.equal(plain.getHeader('vary'), undefined);
    const form = await call(site, '/form/');
    const body = JSON.parse(form.text()) as { a: string; b: string };
    assert.equal(body.a.length, 86);
    assert.equal(body.a, body.b, 'one masked token per request');
    assert.equal(form.cookies.length, 1);
    assert.match(form.cookies[0] ?? '', /^csrftoken=[A-Za-z0-9_-]{43}; Max-Age=31449600; Path=\/; SameSite=Lax$/);
    assert.equal(form.getHeader('vary'), 'Cookie');
  });

  it('reuses a valid cookie without sending it again, and replaces an invalid one', async () => {
    const first = await call(site, '/form/');
    const cookie = decodeURIComponent((first.cookies[0] ?? '').split(';')[0]?.slice('csrftoken='.length) ?? '');
    const again = await call(site, '/form/', { headers: { cookie: `csrftoken=${cookie}` } });
    assert.deepEqual(again.cookies, [], 'the browser already has this secret');
    assert.equal(again.getHeader('vary'), 'Cookie');
    const token = (JSON.parse(again.text()) as { a: string }).a;
    const ok = await call(site, '/plain/', {
      method: 'POST', headers: { cookie: `csrftoken=${cookie}`, 'x-csrftoken': token },
    });
    assert.equal(ok.status, 200, 'a token made from the cookie secret is accepted');
    const garbage = await call(site, '/form/', { headers: { cookie: 'csrftoken=not-a-secret' } });
    assert.equal(garbage.cookies.length, 1, 'an invalid cookie gets a fresh secret');
    assert.notEqual(garbage.cookies[0], first.cookies[0]);
  });

  it('lets a wrapper replace req.csrfToken and call the original detached, as cachePage does', async () => {
    const res = await call(site, '/wrapped/');
    const body = JSON.parse(res.text()) as { token: string; calls: number; again: boolean };
    assert.equal(body.token.length, 86);
    assert.equal(body.calls, 1);
    assert.equal(body.again, true);
    assert.equal(res.cookies.length, 1);
  });

  it('gives an empty token without the CSRF middleware', async () => {
    const bare = makeSite({ urls: [path('', (req: Request) => new Response(`[${req.csrfToken()}]`))], settings: { MIDDLEWARE: [] } });
    assert.equal((await call(bare, '/')).text(), '[]');
  });
});

describe('request path over HTTP', () => {
  function get(port: number, urlPath: string, opts: { method?: string; host?: string; headers?: Record<string, string> } = {}) {
    return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1', port, path: urlPath, method: opts.method ?? 'GET',
        headers: { host: opts.host ?? 'testserver', ...opts.headers },
      }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('puts the security headers on every kind of answer: sync and async views, redirects, 404, CSRF 403, bad Host 400, 500, undecodable URL 400', async () => {
    const site: Site = makeSite({
      urls: [
        path('', () => new Response('hello', { contentType: 'text/plain; charset=utf-8' })),
        path('async/', async () => { await new Promise((r) => setImmediate(r)); return new Response('later'); }),
        path('slash/', () => new Response('slash')),
        path('boom/', () => { throw new Error('secret-internal-detail'); }),
      ],
    });
    const server = createServer(site);
    const port = await server.listen(0, '127.0.0.1');
    try {
      const cases: [string, Parameters<typeof get>[2], number, string?][] = [
        ['/', {}, 200, 'hello'],
        ['/async/', {}, 200, 'later'],
        ['/slash', {}, 301],
        ['/nope/', {}, 404],
        ['/', { method: 'POST' }, 403],
        ['/', { host: 'evil.example' }, 400],
        ['/', { host: 'testserver.evil.example' }, 400],
        ['/boom/', {}, 500],
        ['/%E0%A4%A/', {}, 400],
      ];
      for (const [url, opts, status, body] of cases) {
        const what = `${opts?.method ?? 'GET'} ${url} (Host ${opts?.host ?? 'testserver'})`;
        const res = await get(port, url, opts);
        assert.equal(res.status, status, what);
        if (body !== undefined) assert.equal(res.body, body, what);
        assert.doesNotMatch(res.body, /secret-internal-detail/, what);
        assertSecurityHeaders((n) => res.headers[n] as string | undefined, what);
        assert.equal(res.headers['content-length'], String(Buffer.byteLength(res.body)), what);
      }
      assert.equal((await get(port, '/slash')).headers.location, '/slash/');
    } finally {
      await server.close();
    }
  });
});
