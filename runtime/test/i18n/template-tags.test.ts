// The translation tags' edges: what {% blocktrans %} refuses, what is escaped, {% language %}, and the page cache
// keeping one copy per language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMiddleware, nunjucksEngine, path, render } from '@paddock/runtime';
import { cachePage, LocMemCache } from '@paddock/runtime/cache';
import { localeMiddleware, override } from '@paddock/runtime/i18n';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callCommand } from '@paddock/runtime/host';
import { call, inlineTemplates, makeSite, tempDir } from '../helpers/site.js';

const engine = nunjucksEngine({ dirs: [], debug: false, options: {}, reverse: () => '', staticUrl: (p) => p });

test('{% blocktrans %} refuses tags and expressions inside, and a plural without count', async () => {
  await assert.rejects(engine.renderString('{% blocktrans %}Hi {{ user.name }}{% endblocktrans %}', {}), /may print only plain variables: give the value a name/);
  await assert.rejects(engine.renderString('{% blocktrans %}{% if x %}y{% endif %}{% endblocktrans %}', {}), /may hold only text and \{\{ variable \}\}/);
  await assert.rejects(engine.renderString('{% blocktrans %}a{% plural %}b{% endblocktrans %}', {}), /\{% plural %\} needs count=/);
  await assert.rejects(engine.renderString('{% blocktrans count=n %}a{% endblocktrans %}', { n: 1 }), /needs a \{% plural %\} form/);
});

test('translated variables and blocktrans values are escaped; literal template text is not', async () => {
  const out = await engine.renderString('{% trans "<b>Save</b>" %}|{% trans label %}|{% blocktrans name=n %}<i>{{ name }}</i>{% endblocktrans %}|{{ _(label) }}',
    { label: '<script>', n: '<x>' });
  assert.equal(out, '<b>Save</b>|&lt;script&gt;|<i>&lt;x&gt;</i>|&lt;script&gt;');
});

test('{% language %} renders its part in another language; get_current_language() tells which', async () => {
  const out = await engine.renderString('{{ get_current_language() }} {% trans "Submit" %} {% language "de" %}{{ get_current_language() }} {% trans "Submit" %}{% endlanguage %} {% trans "Submit" %}', {});
  assert.equal(out, 'en-us Submit de Absenden Submit');
  assert.equal(await override('fr', () => engine.renderString('{% trans "Submit" context "x" %} {{ pgettext("form label suffix", ":") }}', {})), 'Submit \u00a0:');
});

test('the page cache keeps one copy per language', async () => {
  const cache = new LocMemCache({ name: `i18n-cache-${Math.random()}` });
  const site = makeSite({
    urls: [path('p/', cachePage(60, (req) => render(req, 'p.html'), { cache }))],
    settings: { TEMPLATES: { BACKEND: inlineTemplates({ 'p.html': '{% trans "Submit" %}' }) }, MIDDLEWARE: [...defaultMiddleware, localeMiddleware] },
  });
  const fr = await call(site, '/p/', { headers: { 'accept-language': 'fr' } });
  assert.equal(fr.text(), 'Envoyer');
  const de = await call(site, '/p/', { headers: { 'accept-language': 'de' } });
  assert.equal(de.text(), 'Absenden');
  assert.equal(de.headers['x-cache'], undefined, 'not the French copy');
  const frAgain = await call(site, '/p/', { headers: { 'accept-language': 'fr' } });
  assert.equal(frAgain.headers['x-cache'], 'hit');
  assert.equal(frAgain.text(), 'Envoyer');
});

test('check reports a LANGUAGE_CODE the site does not offer and a catalogue changed since it was compiled', async () => {
  const tmp = tempDir('pdk-i18n-check-');
  try {
    const lc = join(tmp.dir, 'locale', 'fr', 'LC_MESSAGES');
    mkdirSync(lc, { recursive: true });
    writeFileSync(join(lc, 'messages.po'), 'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n');
    const site = makeSite({ urls: [], dir: tmp.dir, settings: { LANGUAGE_CODE: 'es', LANGUAGES: [['en', 'English'], ['fr', 'French']] } });
    const check = async () => { const out: string[] = []; await callCommand(site, 'check', [], { out: (l) => out.push(l) }); return out.join('\n'); };
    const before = await check();
    assert.match(before, /\(translation\.E004\) LANGUAGE_CODE 'es' is not in LANGUAGES \(en, fr\)\./);
    assert.match(before, /\(translation\.W001\) .*messages\.po has changed since it was compiled/);
    await callCommand(site, 'compilemessages', [], { out: () => {} });
    assert.doesNotMatch(await check(), /translation\.W001/);
  } finally {
    tmp.cleanup();
  }
});
