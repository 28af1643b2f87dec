// Choosing the language of a request: URL prefix (i18nPatterns), then the language cookie, then Accept-Language,
// limited to LANGUAGES, else LANGUAGE_CODE; switching it with set_language; each request in its own language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csrfExempt, defaultMiddleware, Response, path, type Request, type Site } from '@paddock/runtime';
import { gettext, getLanguage, i18nPatterns, localeMiddleware, setLanguage } from '@paddock/runtime/i18n';
import { fields, defineForm } from '@paddock/runtime/forms';
import { call, csrfFrom, makeSite } from '../helpers/site.js';

const about = (req: Request) => new Response(`${req.languageCode}|${getLanguage()}|${gettext('This field is required.')}|${req.resolverMatch?.name ? req.reverse(req.resolverMatch.name) : ''}`);
const LANGUAGES = [['en', 'English'], ['fr', 'French'], ['de', 'German']] as const;
const settings = { MIDDLEWARE: [...defaultMiddleware, localeMiddleware], LANGUAGES };

function site(prefixDefaultLanguage: boolean): Site {
  return makeSite({
    urls: [
      ...[i18nPatterns([path('about/', about, { name: 'about' }), path('', about, { name: 'home' })], { prefixDefaultLanguage })],
      path('i18n/setlang/', setLanguage, { name: 'set_language' }),
      path('plain/', about),
    ],
    settings,
  });
}
const prefixed = site(true);
const unprefixedDefault = site(false);

test('the URL prefix chooses the language and reverse() writes the active one', async () => {
  assert.equal((await call(prefixed, '/fr/about/')).text(), 'fr|fr|Ce champ est obligatoire.|/fr/about/');
  assert.equal((await call(prefixed, '/de/about/')).text(), 'de|de|Dieses Feld ist zwingend erforderlich.|/de/about/');
  const en = await call(prefixed, '/en/about/', { headers: { 'accept-language': 'fr' } });
  assert.equal(en.text(), 'en|en|This field is required.|/en/about/', 'the prefix wins over the browser');
  assert.equal(en.headers['content-language'], 'en');
  assert.equal(en.headers.vary, undefined, 'a prefixed URL always answers in its language');
  assert.equal((await call(prefixed, '/es/about/')).status, 404, 'only LANGUAGES have prefixes');
  assert.equal((await call(prefixed, '/fr/')).text(), 'fr|fr|Ce champ est obligatoire.|/fr/');
});

test('an unprefixed URL redirects to the visitor\'s language: cookie first, then Accept-Language', async () => {
  const byHeader = await call(prefixed, '/about/?x=1', { headers: { 'accept-language': 'de-AT,de;q=0.9,en;q=0.5' } });
  assert.equal(byHeader.status, 302);
  assert.equal(byHeader.headers.location, '/de/about/?x=1');
  assert.match(byHeader.headers.vary ?? '', /Accept-Language/);
  const byCookie = await call(prefixed, '/about/', { headers: { 'accept-language': 'de', cookie: 'paddock_language=fr' } });
  assert.equal(byCookie.headers.location, '/fr/about/');
  const fallback = await call(prefixed, '/about/', { headers: { 'accept-language': 'ja, zh;q=0.8', cookie: 'paddock_language=../../x' } });
  assert.equal(fallback.headers.location, '/en/about/', 'nothing the site offers: LANGUAGE_CODE (en-us → en)');
  assert.equal((await call(prefixed, '/nowhere/', { headers: { 'accept-language': 'fr' } })).status, 404);
});

test('with prefixDefaultLanguage: false the default language has no prefix and only the others do', async () => {
  assert.equal((await call(unprefixedDefault, '/about/', { headers: { 'accept-language': 'fr' } })).text(), 'en|en|This field is required.|/about/');
  assert.equal((await call(unprefixedDefault, '/fr/about/')).text(), 'fr|fr|Ce champ est obligatoire.|/fr/about/');
  assert.equal((await call(unprefixedDefault, '/en/about/')).status, 404);
});

test('outside i18nPatterns the cookie, then Accept-Language, choose, and the response says it varies on them', async () => {
  const de = await call(prefixed, '/plain/', { headers: { 'accept-language': 'da, de-CH;q=0.8, fr;q=0.7' } });
  assert.equal(de.text().split('|').slice(0, 3).join('|'), 'de|de|Dieses Feld ist zwingend erforderlich.');
  assert.equal(de.headers['content-language'], 'de');
  assert.match(de.headers.vary ?? '', /Accept-Language/);
  assert.match(de.headers.vary ?? '', /Cookie/);
  assert.equal((await call(prefixed, '/plain/', { headers: { 'accept-language': 'de', cookie: 'paddock_language=fr' } })).text().split('|')[0], 'fr');
  assert.equal((await call(prefixed, '/plain/', { headers: { 'accept-language': 'fr;q=0, de;q=0.1' } })).text().split('|')[0], 'de', 'q=0 means no');
  const noMiddleware = makeSite({ urls: [path('plain/', about)], settings: { LANGUAGE_CODE: 'de' } });
  assert.equal((await call(noMiddleware, '/plain/', { headers: { 'accept-language': 'fr' } })).text().split('|').slice(0, 3).join('|'),
    'de|de|Dieses Feld ist zwingend erforderlich.', 'without the middleware: LANGUAGE_CODE');
});

test('set_language keeps the choice in a cookie and goes back to the same page in the new language', async () => {
  const page = await call(prefixed, '/fr/about/');
  assert.equal(page.status, 200);
  const form = await call(prefixed, '/i18n/setlang/', { method: 'GET' });
  assert.equal(form.status, 302, 'GET changes nothing');
  assert.equal(form.cookies.length, 0);
  const csrf = csrfFrom(await call(makeSiteWithTokenPage(), '/token/'));
  const post = (body: string, headers: Record<string, string> = {}) => call(prefixed, '/i18n/setlang/', {
    method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `csrftoken=${csrf.cookie}`, ...headers },
  });
  const res = await post(`csrfmiddlewaretoken=${csrf.token}&language=de&next=${encodeURIComponent('/fr/about/?q=1')}`);
  assert.equal(res.status, 302);
  assert.equal(res.headers.location, '/de/about/?q=1');
  assert.match(res.cookies.join('\n'), /^paddock_language=de; Max-Age=31536000; Path=\/; SameSite=Lax$/m);
  const unknown = await post(`csrfmiddlewaretoken=${csrf.token}&language=xx&next=/plain/`);
  assert.equal(unknown.headers.location, '/plain/');
  assert.equal(unknown.cookies.length, 0, 'a language the site does not offer is not kept');
  const offsite = await post(`csrfmiddlewaretoken=${csrf.token}&language=fr&next=${encodeURIComponent('https://evil.example/')}`);
  assert.equal(offsite.headers.location, '/', 'next must stay on the site');
  const forged = await post('language=fr&next=/');
  assert.equal(forged.status, 403, 'a cross-site form cannot switch the language');
  const fromReferer = await post(`csrfmiddlewaretoken=${csrf.token}&language=fr`, { referer: 'http://testserver/de/about/' });
  assert.equal(fromReferer.headers.location, 'http://testserver/fr/about/');
});

/** The same CSRF secret works across sites of the same SECRET_KEY: a page that hands out a token. */
function makeSiteWithTokenPage(): Site {
  const F = defineForm({ x: fields.char() });
  return makeSite({ urls: [path('token/', (req) => new Response(String(new F().renderForm({ request: req }))))] });
}

test('concurrent requests keep their own language', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  let reachedGate!: () => void;
  const atGate = new Promise<void>((r) => { reachedGate = r; });
  const slow = csrfExempt(async (req: Request) => {
    reachedGate();
    await gate;
    return new Response(`${req.languageCode}:${gettext('This field is required.')}`);
  });
  const s = makeSite({ urls: [path('slow/', slow), path('fast/', about)], settings });
  const french = call(s, '/slow/', { headers: { 'accept-language': 'fr' } });
  await atGate;
  const german = await call(s, '/fast/', { headers: { 'accept-language': 'de' } });
  assert.match(german.text(), /^de\|de\|Dieses Feld/);
  release();
  assert.equal((await french).text(), 'fr:Ce champ est obligatoire.');
  assert.equal(getLanguage(), 'en-us', 'nothing leaked into the process');
});
