// The translated test site (fixtures/i18n-site), booted as the site host boots one: a page in English, French and
// German chosen by URL prefix, its times in the visitor's zone, switching language and zone with its forms.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Response, Site } from '@paddock/runtime';
import { loadSite } from '@paddock/runtime/host';
import { call, csrfFrom, TEST_SECRET } from '../helpers/site.js';

const dir = fileURLToPath(new URL('../fixtures/i18n-site/', import.meta.url));
let site: Site;
before(async () => { site = await loadSite(dir, { dev: true, env: { SECRET_KEY: TEST_SECRET, ALLOWED_HOSTS: 'testserver' } }); });

const text = (res: Response) => res.text().replace(/[\u00a0\u202f]/g, ' ');

test('each language has its URL, and the page says everything in it', async () => {
  const en = text(await call(site, '/en/'));
  assert.match(en, /<html lang="en">/);
  assert.match(en, /<h1>Welcome to the conference!<\/h1>/);
  assert.match(en, /There are 2 talks\./);
  assert.match(en, /<time datetime="2026-09-21T08:00:00.000Z">Monday, September 21, 2026 at 9:00 AM<\/time>: Opening keynote/);
  const fr = text(await call(site, '/fr/'));
  assert.match(fr, /<html lang="fr">/);
  assert.match(fr, /<title>Programme<\/title>/);
  assert.match(fr, /<h1>Bienvenue à la conférence !<\/h1>/);
  assert.match(fr, /Il y a 2 exposés\./);
  assert.match(fr, /lundi 21 septembre 2026 à 09:00<\/time>: Conférence d’ouverture/);
  assert.match(fr, /Les heures sont affichées dans le fuseau Europe\/London\./);
  const de = text(await call(site, '/de/'));
  assert.match(de, /Montag, 21\. September 2026 um 14:30<\/time>: Zeitzonen ohne Tränen/);
  assert.match(de, /<option value="de" selected>Deutsch<\/option>/);
  assert.equal((await call(site, '/', { headers: { 'accept-language': 'de-DE,de;q=0.9' } })).headers.location, '/de/');
});

test('times are shown in the visitor\'s zone once chosen', async () => {
  const page = await call(site, '/fr/');
  const csrf = csrfFrom(page);
  const chosen = await call(site, '/i18n/settz/', {
    method: 'POST', body: `csrfmiddlewaretoken=${csrf.token}&timezone=America%2FNew_York&next=%2Ffr%2F`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `csrftoken=${csrf.cookie}` },
  });
  assert.equal(chosen.headers.location, '/fr/');
  const zone = /^paddock_timezone=([^;]+)/.exec(chosen.cookies.find((c) => c.startsWith('paddock_timezone=')) ?? '')?.[1];
  assert.equal(zone, 'America%2FNew_York');
  const fr = text(await call(site, '/fr/', { headers: { cookie: `paddock_timezone=${zone}` } }));
  assert.match(fr, /lundi 21 septembre 2026 à 04:00<\/time>: Conférence d’ouverture/);
  assert.match(fr, /lundi 21 septembre 2026 à 09:30<\/time>: Les fuseaux horaires sans larmes/);
  assert.match(fr, /<option selected>America\/New_York<\/option>/);
});

test('the language menu switches to the same page in the chosen language and remembers it', async () => {
  const page = await call(site, '/en/');
  const csrf = csrfFrom(page);
  const res = await call(site, '/i18n/setlang/', {
    method: 'POST', body: `csrfmiddlewaretoken=${csrf.token}&language=fr&next=%2Fen%2F`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `csrftoken=${csrf.cookie}` },
  });
  assert.equal(res.headers.location, '/fr/');
  assert.equal((await call(site, '/', { headers: { cookie: 'paddock_language=fr', 'accept-language': 'de' } })).headers.location, '/fr/');
});
