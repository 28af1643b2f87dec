// The runtime's own text in French and German: forms' error messages, auth's pages and password rules, the admin;
// and the catalogues shipped for them are complete and compiled.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, defaultMiddleware, defineSite, include, Site, ValidationError, type Response as Res } from '@paddock/runtime';
import { defineForm, fields } from '@paddock/runtime/forms';
import { localeMiddleware, override } from '@paddock/runtime/i18n';
import { callCommand } from '@paddock/runtime/host';
import { LocMemCache } from '@paddock/runtime/cache';
import { CacheSessionStore, sessionMiddleware } from '@paddock/runtime/contrib/sessions';
import { messagesMiddleware } from '@paddock/runtime/contrib/messages';
import {
  authApp, authMiddleware, authUrls, configureAuth, PBKDF2PasswordHasher, User, validatePassword,
} from '@paddock/runtime/contrib/auth';
import { adminApp, AdminSite, registerAuthAdmin } from '@paddock/runtime/contrib/admin';
import { call, makeSite, tempDir, TEST_SECRET } from '../helpers/site.js';
import { testDatabase } from '../contrib/helpers/db.js';

const fast = new PBKDF2PasswordHasher({ iterations: 1000 });
const admin = new AdminSite({ prefix: '/admin/' });
registerAuthAdmin(admin);
let db: Awaited<ReturnType<typeof testDatabase>>;

before(async () => {
  db = await testDatabase([authApp, adminApp]);
  configureAuth({ hashers: [fast], throttle: { perUser: 50, perAddress: 500 } });
  await User.objects.create({ username: 'chef', password: await fast.encode('pw-chef-123'), isStaff: true, isSuperuser: true });
});
after(async () => { await db.drop(); });

const site = makeSite({
  apps: [authApp, adminApp],
  urls: [include('accounts/', authUrls), include('admin/', admin.urls)],
  settings: {
    MIDDLEWARE: [...defaultMiddleware, sessionMiddleware({ store: new CacheSessionStore(new LocMemCache({ name: `i18n-${Math.random()}` })) }),
      localeMiddleware, messagesMiddleware(), authMiddleware()],
  },
});

function errorsOf(e: unknown): string[] {
  assert.ok(e instanceof ValidationError);
  return e.messages;
}

test('forms\' error messages, with their plural forms, in French and German', async () => {
  const F = defineForm({ code: fields.char({ maxLength: 1 }), name: fields.char({ maxLength: 3 }), age: fields.integer(), when: fields.date() });
  const errors = async (lang: string) => override(lang, async () => {
    const f = new F({ data: { code: 'ab', name: 'abcd', age: 'x', when: '' } });
    await f.isValid();
    return Object.values(f.errors).flat().map((i) => i.message);
  });
  assert.deepEqual(await errors('fr'), [
    'Assurez-vous que cette valeur comporte au plus 1 caractère (actuellement 2).',
    'Assurez-vous que cette valeur comporte au plus 3 caractères (actuellement 4).',
    'Saisissez un nombre entier.',
    'Ce champ est obligatoire.',
  ]);
  assert.deepEqual(await errors('de'), [
    'Bitte sicherstellen, dass der Wert aus höchstens 1 Zeichen besteht. (Er besteht aus 2 Zeichen.)',
    'Bitte sicherstellen, dass der Wert aus höchstens 3 Zeichen besteht. (Er besteht aus 4 Zeichen.)',
    'Bitte eine ganze Zahl eingeben.',
    'Dieses Feld ist zwingend erforderlich.',
  ]);
  assert.match(override('de', () => String(new F().renderForm({ csrfToken: 't' }))), />Absenden<\/button>/);
});

test('password validators explain themselves in the visitor\'s language', () => {
  const user = { username: 'marguerite', email: 'marguerite@example.com' };
  const fr = override('fr', () => { try { validatePassword('1234567', user); } catch (e) { return errorsOf(e); } return []; });
  assert.deepEqual(fr, ['Ce mot de passe est trop court. Il doit contenir au minimum 8 caractères.', 'Ce mot de passe est trop courant.',
    'Ce mot de passe est entièrement numérique.']);
  const de = override('de', () => { try { validatePassword('marguerite1', user); } catch (e) { return errorsOf(e); } return []; });
  assert.deepEqual(de, ['Das Passwort ist dem Feld „Benutzername“ zu ähnlich.']);
});

test('auth\'s pages in the language the browser asks for', async () => {
  const fr = await call(site, '/accounts/login/', { headers: { 'accept-language': 'fr-CA,fr;q=0.9' } });
  const html = fr.text();
  assert.match(html, /<html lang="fr">/);
  assert.match(html, /<h1>Connexion<\/h1>/);
  assert.match(html, /<label for="id_username">Nom d’utilisateur\u00a0:<\/label>/);
  assert.match(html, /Aller au contenu/);
  const de = (await call(site, '/accounts/password_reset/', { headers: { 'accept-language': 'de' } })).text();
  assert.match(de, /<h1>Passwort zurücksetzen<\/h1>/);
  assert.match(de, />Link senden<\/button>/);
});

async function loggedIn(lang: string): Promise<(url: string) => Promise<Res>> {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const take = (res: Res) => {
    for (const c of res.cookies) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  };
  const get = async (url: string) => take(await call(site, url, { headers: { cookie: cookie(), 'accept-language': lang } }));
  const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec((await get('/admin/login/')).text())?.[1] ?? '';
  const res = take(await call(site, '/admin/login/', {
    method: 'POST', body: `csrfmiddlewaretoken=${token}&username=chef&password=pw-chef-123&next=/admin/`,
    headers: { cookie: cookie(), 'accept-language': lang, 'content-type': 'application/x-www-form-urlencoded' },
  }));
  assert.equal(res.status, 302);
  return get;
}

test('the admin in German and French: titles, columns, filters, labels and messages', async () => {
  const de = await loggedIn('de');
  const index = (await de('/admin/')).text();
  assert.match(index, /<html lang="de">/);
  assert.match(index, /<title>Website-Verwaltung \| Website-Verwaltung<\/title>/);
  assert.match(index, /href="\/admin\/auth\/user\/">Benutzer<\/a>/);
  assert.match(index, />Abmelden<\/button>/);
  const list = (await de('/admin/auth/user/')).text();
  assert.match(list, /<h1>Benutzer zur Änderung auswählen<\/h1>/);
  assert.match(list, /<th scope="col"[^>]*>(?:<a [^>]*>)?E-Mail-Adresse/);
  assert.match(list, /<h3>Nach Mitarbeiter-Status<\/h3>/);
  assert.match(list, />Ausgewählte Benutzer löschen</);
  const chef = await User.objects.get({ username: 'chef' });
  const form = (await (await loggedIn('fr'))(`/admin/auth/user/${chef.id}/change/`)).text();
  assert.match(form, /<label for="id_firstName">Prénom\u00a0:<\/label>/);
  assert.match(form, /Décochez ceci plutôt que de supprimer le compte\./);
  assert.match(form, />Enregistrer<\/button>/);
  assert.match(form, /<h1>Modification de utilisateur<\/h1>/);
});

test('the built-in catalogues hold a French and a German translation of every message the runtime marks, compiled', async () => {
  const tmp = tempDir('pdk-i18n-builtin-');
  try {
    const src = fileURLToPath(new URL('../../src/', import.meta.url));
    cpSync(src, join(tmp.dir, 'src'), { recursive: true });
    const copy = (p: string) => join(tmp.dir, 'src', p);
    const s = new Site(defineSite({
      apps: [app('core', copy('')), app('auth', copy('contrib/auth')), app('admin', copy('contrib/admin'))],
      urls: [], settings: { ALLOWED_HOSTS: ['testserver'], SECRET_KEY: TEST_SECRET, LOCALE_PATHS: [] },
    }), { dir: tmp.dir, env: {} });
    const out: string[] = [];
    await callCommand(s, 'makemessages', ['--all', '--add-location', 'file'], { out: (l) => out.push(l) });
    assert.equal(out.shift(), "site: LOCALE_PATHS is empty, so the messages of the site's own files (outside its apps) are not collected.");
    assert.equal(out.length, 6, out.join('\n'));
    for (const line of out) assert.match(line, /: \d+ messages, 0 new, 0 obsolete \(unchanged\)$/, 'makemessages found nothing new: every marked message is in the catalogues');
    const compiled: string[] = [];
    await callCommand(s, 'compilemessages', [], { out: (l) => compiled.push(l) });
    for (const [i, line] of out.entries()) {
      const total = /: (\d+) messages/.exec(line)?.[1];
      const [, file] = /^\w+: (.*): \d+ messages/.exec(line) ?? [];
      assert.ok(compiled.some((c) => c.endsWith(`${file} (${total} translated)`)), `every message of ${out[i]} is translated`);
    }
    for (const p of ['locale/fr', 'locale/de', 'contrib/auth/locale/fr', 'contrib/auth/locale/de', 'contrib/admin/locale/fr', 'contrib/admin/locale/de']) {
      const json = `${p}/LC_MESSAGES/messages.json`;
      assert.equal(readFileSync(join(src, json), 'utf8'), readFileSync(copy(json), 'utf8'), `${json} is compiled from its .po (run compilemessages)`);
    }
  } finally {
    tmp.cleanup();
  }
});
