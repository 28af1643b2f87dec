import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMiddleware, path, redirect, render, Response, type Request, type Response as Res, type Site } from '@paddock/runtime';
import { LocMemCache } from '@paddock/runtime/cache';
import { CacheSessionStore, sessionMiddleware } from '@paddock/runtime/contrib/sessions';
import { CookieStorage, messages, messagesApp, messagesMiddleware, type MessageStorage } from '@paddock/runtime/contrib/messages';
import { call, inlineTemplates, makeSite } from '../../helpers/site.js';

const cache = new LocMemCache({ name: `messages-${Math.random()}` });
after(() => cache.close());

function site(storage?: MessageStorage): Site {
  return makeSite({
    apps: [messagesApp],
    urls: [
      path('save/', (req: Request) => {
        messages.success(req, 'Saved <b>post</b>.');
        messages.debug(req, 'below the level');
        return redirect('/list/');
      }),
      path('list/', (req: Request) => render(req, 'list.html')),
      path('quiet/', () => new Response('no template')),
    ],
    settings: {
      MIDDLEWARE: [...defaultMiddleware, sessionMiddleware({ store: new CacheSessionStore(cache) }), messagesMiddleware(storage ? { storage } : {})],
      TEMPLATES: { BACKEND: inlineTemplates({ 'list.html': '{% for m in messages %}<p class="{{ m.tags }}">{{ m }}</p>{% endfor %}' }) },
    },
  });
}

function cookies(res: Res): string {
  return res.cookies.map((c) => c.split(';')[0]).filter((c) => !c?.endsWith('=')).join('; ');
}

for (const [name, storage] of [['session', undefined], ['cookie', new CookieStorage()]] as const) {
  test(`${name} storage: a message survives the redirect, shows once (escaped), then is gone`, async () => {
    const s = site(storage);
    const saved = await call(s, '/save/');
    assert.equal(saved.status, 302);
    const jar = cookies(saved);
    const quiet = await call(s, '/quiet/', { headers: { cookie: jar } });
    const jar2 = cookies(quiet) || jar;
    const shown = await call(s, '/list/', { headers: { cookie: jar2 } });
    assert.equal(shown.text(), '<p class="success">Saved &lt;b&gt;post&lt;/b&gt;.</p>', 'kept through a page that did not show it');
    const jar3 = name === 'cookie' ? '' : jar2;
    const again = await call(s, '/list/', { headers: { cookie: jar3 } });
    assert.equal(again.text(), '');
    if (name === 'cookie') assert.match(shown.cookies.join(), /messages=;/, 'the cookie is cleared once shown');
  });
}

test('a forged or tampered message cookie is ignored', async () => {
  const s = site(new CookieStorage());
  const saved = await call(s, '/save/');
  const cookie = cookies(saved);
  const tampered = cookie.replace(/messages=([^;]*)/, (_m, v: string) => `messages=${v.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}`);
  const forged = `messages=${encodeURIComponent(JSON.stringify([[40, '<script>alert(1)</script>', '']]))}`;
  for (const jar of [tampered, forged]) {
    const res = await call(s, '/list/', { headers: { cookie: jar } });
    assert.equal(res.status, 200);
    assert.equal(res.text(), '');
  }
});
