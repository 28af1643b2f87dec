import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultMiddleware, Http404, path, PermissionDenied, Response, type Middleware } from '@paddock/runtime';
import { call, makeSite } from './helpers/site.js';

describe('middleware', () => {
  it('runs in list order on the way in and reverse order on the way out', async () => {
    const log: string[] = [];
    const mw = (name: string): Middleware => (next) => async (req) => {
      log.push(`${name} in`);
      const res = await next(req);
      log.push(`${name} out`);
      res.setHeader(`x-${name}`, String(log.length));
      return res;
    };
    const s = makeSite({
      urls: [path('', () => { log.push('view'); return new Response('ok'); })],
      settings: { MIDDLEWARE: [...defaultMiddleware, mw('a'), mw('b')] },
    });
    const res = await call(s, '/');
    assert.deepEqual(log, ['a in', 'b in', 'view', 'b out', 'a out']);
    assert.equal(res.getHeader('x-b'), '4');
    assert.equal(res.getHeader('x-a'), '5');
  });

  it('can answer without calling the view, and sees the resolved view before it runs', async () => {
    let viewRan = false;
    const gate: Middleware = (next) => async (req) => {
      if (req.resolverMatch?.name === 'private') return new Response('nope', { status: 401 });
      return next(req);
    };
    const s = makeSite({
      urls: [path('private/', () => { viewRan = true; return new Response('secret'); }, { name: 'private' })],
      settings: { MIDDLEWARE: [...defaultMiddleware, gate] },
    });
    const res = await call(s, '/private/');
    assert.equal(res.status, 401);
    assert.equal(viewRan, false);
    assert.equal(res.getHeader('x-frame-options'), 'DENY', 'outer middleware still decorate it');
  });

  it('turns exceptions into responses that outer middleware still see (404, 403)', async () => {
    const seen: number[] = [];
    const spy: Middleware = (next) => async (req) => { const r = await next(req); seen.push(r.status); return r; };
    const s = makeSite({
      urls: [path('gone/', () => { throw new Http404(); }), path('denied/', () => { throw new PermissionDenied(); })],
      settings: { MIDDLEWARE: [spy, ...defaultMiddleware] },
    });
    assert.equal((await call(s, '/gone/')).status, 404);
    assert.equal((await call(s, '/denied/')).status, 403);
    assert.deepEqual(seen, [404, 403]);
  });
});
