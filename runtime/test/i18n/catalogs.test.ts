// Translation through catalogues a site makes with its own commands: makemessages finds what its code and templates
// mark, a translator fills messages.po, compilemessages checks and compiles it, gettext and the template tags use it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError, defineSite, path, render, Site } from '@paddock/runtime';
import { callCommand } from '@paddock/runtime/host';
import {
  gettext, gettextLazy, ngettext, ngettextLazy, npgettext, override, pgettext, activate, deactivate, getLanguage,
} from '@paddock/runtime/i18n';
import { call, TEST_SECRET, tempDir } from '../helpers/site.js';

const tmp = tempDir('pdk-i18n-catalogs-');
const shop = join(tmp.dir, 'shop');
let site: Site;

const VIEWS = `import { gettext, gettextLazy as _, ngettext, pgettext, npgettext } from '@paddock/runtime/i18n';
export const title = _('Our shop');
export function greet(name: string) {
  // Translators: shown on the home page, {name} is the visitor's name.
  return gettext('Welcome, {name}!', { name });
}
export const items = (n: number) => ngettext('{count} item', '{count} items', n);
export const month = () => pgettext('month name', 'May');
export const files = (n: number) => npgettext('folder', '{count} file', '{count} files', n);
export const notMarked = (s: string) => gettext(s);
`;
const TEMPLATE = `<h1>{% trans "Our shop" %}</h1><p>{% blocktrans name=user count=n %}{{ name }} has one order.{% plural %}{{ name }} has {{ count }} orders.{% endblocktrans %}</p><p>{{ _("Checkout") }}</p>`;

/** A translator at work: fills msgstr lines of a .po by msgid. */
function translate(file: string, translations: Record<string, string | string[]>): void {
  let po = readFileSync(file, 'utf8');
  for (const [msgid, value] of Object.entries(translations)) {
    const at = po.indexOf(`msgid ${JSON.stringify(msgid)}\n`);
    assert.ok(at >= 0, `${msgid} is in ${file}`);
    const end = po.indexOf('\n\n', at);
    const block = po.slice(at, end < 0 ? undefined : end);
    let filled = block;
    if (Array.isArray(value)) value.forEach((v, i) => { filled = filled.replace(`msgstr[${i}] ""`, `msgstr[${i}] ${JSON.stringify(v)}`); });
    else filled = filled.replace('msgstr ""', `msgstr ${JSON.stringify(value)}`);
    po = po.replace(block, filled);
  }
  writeFileSync(file, po);
}

async function run(name: string, args: string[]): Promise<string> {
  const out: string[] = [];
  await callCommand(site, name, args, { out: (l) => out.push(l) });
  return out.join('\n');
}

before(async () => {
  mkdirSync(join(shop, 'templates', 'shop'), { recursive: true });
  writeFileSync(join(shop, 'views.ts'), VIEWS);
  writeFileSync(join(shop, 'templates', 'shop', 'home.html'), TEMPLATE);
  site = new Site(defineSite({
    apps: ['shop'],
    urls: [path('', (req) => render(req, 'shop/home.html', { user: '<Ann>', n: Number(req.query.get('n') ?? 1) }))],
    settings: { ALLOWED_HOSTS: ['testserver'], SECRET_KEY: TEST_SECRET, LANGUAGES: [['en', 'English'], ['fr', 'French'], ['pl', 'Polish']] },
  }), { dir: tmp.dir, env: {} });
  const made = await run('makemessages', ['-l', 'fr', '-l', 'pl']);
  assert.match(made, /shop: locale\/fr\/LC_MESSAGES\/messages\.po: 7 messages, 7 new, 0 obsolete/);
  const fr = join(shop, 'locale', 'fr', 'LC_MESSAGES', 'messages.po');
  translate(fr, {
    'Our shop': 'Notre boutique', 'Welcome, {name}!': 'Bienvenue, {name} !', '{count} item': ['{count} article', '{count} articles'],
    May: 'mai', '{count} file': ['{count} fichier', '{count} fichiers'], Checkout: 'Paiement',
    '{name} has one order.': ['{name} a une commande.', '{name} a {count} commandes.'],
  });
  translate(join(shop, 'locale', 'pl', 'LC_MESSAGES', 'messages.po'), { '{count} item': ['{count} przedmiot', '{count} przedmioty', '{count} przedmiotów'] });
  assert.match(await run('compilemessages', []), /compiled .*shop\/locale\/fr\/LC_MESSAGES\/messages\.po \(7 translated\)/);
});
after(() => { deactivate(); tmp.cleanup(); });

test('makemessages writes every message the code and templates mark, with references and translator comments', () => {
  const po = readFileSync(join(shop, 'locale', 'fr', 'LC_MESSAGES', 'messages.po'), 'utf8');
  assert.match(po, /"Plural-Forms: nplurals=2; plural=\(n > 1\);\\n"/);
  assert.match(po, /#: views\.ts:5\n#\. Translators: shown on the home page, \{name\} is the visitor's name\.\nmsgid "Welcome, \{name\}!"/);
  assert.match(po, /#: views\.ts:2\n#: templates\/shop\/home\.html:1\nmsgid "Our shop"/, 'one entry for both places');
  assert.match(po, /msgctxt "month name"\nmsgid "May"/);
  assert.match(po, /msgid "\{name\} has one order\."\nmsgid_plural "\{name\} has \{count\} orders\."/);
  assert.doesNotMatch(po, /msgid "s"/, 'gettext(variable) marks nothing');
  const pl = readFileSync(join(shop, 'locale', 'pl', 'LC_MESSAGES', 'messages.po'), 'utf8');
  assert.match(pl, /nplurals=3/);
  assert.match(pl, /msgstr\[2\]/, 'Polish gets three plural forms');
});

test('gettext, ngettext, pgettext and npgettext answer in the active language, English otherwise', () => {
  override('fr', () => {
    assert.equal(gettext('Our shop'), 'Notre boutique');
    assert.equal(gettext('Welcome, {name}!', { name: 'Ann' }), 'Bienvenue, Ann !');
    assert.equal(ngettext('{count} item', '{count} items', 0), '0 article', 'French: 0 is singular');
    assert.equal(ngettext('{count} item', '{count} items', 2), '2 articles');
    assert.equal(pgettext('month name', 'May'), 'mai');
    assert.equal(gettext('May'), 'May', 'without its context May is another message');
    assert.equal(npgettext('folder', '{count} file', '{count} files', 3), '3 fichiers');
    assert.equal(gettext('Not in any catalogue'), 'Not in any catalogue');
  });
  assert.equal(gettext('Our shop'), 'Our shop');
  assert.equal(ngettext('{count} item', '{count} items', 0), '0 items');
});

test('plural forms come from the catalogue header: Polish has three', () => {
  override('pl', () => {
    assert.deepEqual([1, 2, 5, 12, 22, 25, 102].map((n) => ngettext('{count} item', '{count} items', n)),
      ['1 przedmiot', '2 przedmioty', '5 przedmiotów', '12 przedmiotów', '22 przedmioty', '25 przedmiotów', '102 przedmioty']);
    assert.equal(gettext('Our shop'), 'Our shop', 'untranslated in Polish: the original, not French');
  });
});

test('lazy messages translate when they are printed, in the language active then', () => {
  const title = gettextLazy('Our shop');
  const items = ngettextLazy('{count} item', '{count} items', 'count');
  assert.equal(`${title}`, 'Our shop');
  override('fr', () => {
    assert.equal(String(title), 'Notre boutique');
    assert.equal(items.format({ count: 4 }), '4 articles');
    assert.equal(JSON.stringify({ title }), '{"title":"Notre boutique"}');
  });
  activate('fr');
  try {
    assert.equal(getLanguage(), 'fr');
    assert.equal(`${title}`, 'Notre boutique', 'activate() outside a request applies to the process');
  } finally {
    deactivate();
  }
  assert.equal(getLanguage(), 'en-us');
  assert.throws(() => activate('../../etc'), /is not a language code/);
});

test('template tags translate, escape the values they print but not the translator\'s text, and pick plural forms', async () => {
  const page = (await call(site, '/?n=1')).text();
  assert.match(page, /<h1>Our shop<\/h1><p>&lt;Ann&gt; has one order\.<\/p><p>Checkout<\/p>/);
  const fr = await override('fr', () => call(site, '/?n=3'));
  assert.match(fr.text(), /<h1>Notre boutique<\/h1><p>&lt;Ann&gt; a 3 commandes\.<\/p><p>Paiement<\/p>/);
});

test('makemessages keeps translations, adds new messages and moves dropped ones to the end as obsolete', async () => {
  writeFileSync(join(shop, 'views.ts'), VIEWS.replace("ngettext('{count} item', '{count} items', n)", "gettext('Basket')"));
  assert.match(await run('makemessages', ['--all']), /shop: locale\/fr\/LC_MESSAGES\/messages\.po: 7 messages, 1 new, 1 obsolete/);
  const po = readFileSync(join(shop, 'locale', 'fr', 'LC_MESSAGES', 'messages.po'), 'utf8');
  assert.match(po, /msgid "Our shop"\nmsgstr "Notre boutique"/);
  assert.match(po, /msgid "Basket"\nmsgstr ""/);
  assert.match(po, /#~ msgid "\{count\} item"\n#~ msgid_plural "\{count\} items"\n#~ msgstr\[0\] "\{count\} article"/);
  assert.match(await run('makemessages', ['--all']), /\(unchanged\)/, 'running it again changes nothing');
  writeFileSync(join(shop, 'views.ts'), VIEWS);
  await run('makemessages', ['--all']);
  assert.match(readFileSync(join(shop, 'locale', 'fr', 'LC_MESSAGES', 'messages.po'), 'utf8'), /msgid "\{count\} item"\nmsgid_plural "\{count\} items"\nmsgstr\[0\] "\{count\} article"/,
    'a message marked again gets its old translation back');
});

test('compilemessages refuses a translation whose placeholders differ from the original, and leaves out fuzzy ones', async () => {
  const file = join(shop, 'locale', 'fr', 'LC_MESSAGES', 'messages.po');
  const good = readFileSync(file, 'utf8');
  try {
    writeFileSync(file, good.replace('msgstr "Bienvenue, {name} !"', 'msgstr "Bienvenue, {nom} !"'));
    await assert.rejects(run('compilemessages', []), (e: unknown) => e instanceof CommandError
      && /"Welcome, \{name\}!": the translation uses \{nom\} where the original uses \{name\}/.test(e.message));
    writeFileSync(file, good.replace('msgid "Checkout"', '#, fuzzy\nmsgid "Checkout"'));
    await run('compilemessages', ['-l', 'fr']);
    const compiled = JSON.parse(readFileSync(join(shop, 'locale', 'fr', 'LC_MESSAGES', 'messages.json'), 'utf8')) as { messages: Record<string, unknown> };
    assert.equal(compiled.messages.Checkout, undefined, 'a fuzzy translation is not used');
    assert.equal(override('fr', () => gettext('Checkout')), 'Checkout');
  } finally {
    writeFileSync(file, good);
    await run('compilemessages', []);
  }
  assert.equal(override('fr', () => gettext('Checkout')), 'Paiement');
});

test('makemessages needs a language, and tells which', async () => {
  await assert.rejects(run('makemessages', []), /makemessages needs the languages to write: -l fr/);
  await assert.rejects(run('makemessages', ['-l', 'x/../y']), /is not a language code/);
  assert.equal(existsSync(join(tmp.dir, 'locale')), false, 'the site-level catalogue is made only with -l');
});
