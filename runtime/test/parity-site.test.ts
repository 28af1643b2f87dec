// The parity test site (runtime/test/fixtures/parity-site), booted as the site host boots a site and driven over HTTP
// as a visitor would: an uploaded image shown back, a model form refusing a duplicate with a form error, a prefetched
// relation looped over in a template, model methods in templates, a LiquidJS page, a page in English and French chosen
// by URL prefix with its time in the visitor's zone, and the admin editing a question with its choices inline.
// Real Postgres, a real server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate, type Site } from '@paddock/runtime';
import { createSuperuser } from '@paddock/runtime/contrib/auth';
import { closeDatabases, createServer, loadSite, openDatabases, type SiteServer } from '@paddock/runtime/host';
import { createDatabase, dropDatabase } from './helpers/database.js';
import { tempDir } from './helpers/site.js';
import { png } from './files/images.js';

const siteDir = fileURLToPath(new URL('./fixtures/parity-site', import.meta.url));

describe('the parity test site', () => {
  const media = tempDir('pdk-parity-media-');
  let db: { name: string; url: string };
  let site: Site;
  let server: SiteServer;
  let base: string;
  let cookies = '';

  before(async () => {
    db = await createDatabase('parity');
    site = await loadSite(siteDir, { dev: true, env: { DATABASE_URL: db.url, PADDOCK_MEDIA_ROOT: media.dir, SECRET_KEY: 'parity-site-test-secret-key-0123456789-abcdefghij' } });
    await openDatabases(site.settings, site.dir);
    await migrate({ apps: site.apps.map((a) => ({ label: a.label, dir: a.dir })) });
    server = createServer(site);
    base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  });
  after(async () => {
    await server?.close();
    await closeDatabases();
    if (db) await dropDatabase(db.name);
    media.cleanup();
  });

  /** A visitor with a cookie jar (the CSRF cookie). */
  async function visit(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(base + path, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: cookies } });
    for (const c of res.headers.getSetCookie()) cookies = [cookies, c.split(';')[0]].filter(Boolean).join('; ');
    return res;
  }

  async function ask(fields: Record<string, string>, image?: { name: string; data: Buffer; type: string }): Promise<Response> {
    const page = await visit('/polls/ask/');
    const html = await page.text();
    assert.match(html, /enctype="multipart\/form-data"/);
    const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const body = new FormData();
    body.set('csrfmiddlewaretoken', token);
    for (const [k, v] of Object.entries(fields)) body.set(k, v);
    if (image) body.set('image', new Blob([image.data], { type: image.type }), image.name);
    return visit('/polls/ask/', { method: 'POST', body });
  }

  test('an uploaded image is stored on the site\'s media storage and shown back, with its dimensions', async () => {
    const res = await ask({ questionText: "What's up?", slug: 'whats-up' }, { name: 'sky photo.png', data: png(8, 6), type: 'image/png' });
    assert.equal(res.status, 302, await res.clone().text());
    assert.equal(res.headers.get('location'), '/polls/whats-up/');
    const detail = await visit('/polls/whats-up/');
    const html = await detail.text();
    const img = /<img src="([^"]+)" width="8" height="6"/.exec(html);
    assert.ok(img, html);
    assert.equal(img[1], '/media/questions/sky_photo.png');
    const served = await visit(img[1]!);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('content-type'), 'image/png');
    assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), png(8, 6));
  });

  test('a model form refuses a duplicate with a form error, and shows every other error with it', async () => {
    const res = await ask({ questionText: '  Another  ', slug: 'whats-up' }, { name: 'not-an-image.png', data: Buffer.from('<svg onload=alert(1)>'), type: 'image/png' });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /<ul class="errorlist" id="id_slug_error"><li>Question with this Slug already exists\.<\/li><\/ul>/);
    assert.match(html, /Upload a valid image/);
    assert.doesNotMatch(html, /IntegrityError|409/);
  });

  test('templates loop over a prefetched relation and call model methods; a LiquidJS page loads the relation as it loops', async () => {
    const { Question, Choice } = await import('./fixtures/parity-site/polls/models.js');
    const q = await Question.objects.get({ slug: 'whats-up' });
    await Choice.objects.create({ question: q, choiceText: 'Not much' });
    await Choice.objects.create({ question: q, choiceText: 'The sky' });
    const index = await (await visit('/polls/')).text();
    assert.match(index, /<a href="\/polls\/whats-up\/">What&#39;s up\?<\/a> \(new\):\s*<span class="choice">Not much<\/span><span class="choice">The sky<\/span>/);
    const about = await visit('/polls/about/');
    const text = await about.text();
    assert.match(text, /Rendered by LiquidJS\. Latest: <a href="\/polls\/whats-up\/">What&#39;s up\?<\/a> \(new\)/);
    assert.match(text, /<li>NOT MUCH<\/li><li>THE SKY<\/li>/);
    assert.match(text, /name="csrfmiddlewaretoken" value="[^"]+"/);
    assert.equal(join(site.dir), siteDir);
  });

  /** The page's text with the no-break spaces Intl puts in dates made plain. */
  const plain = async (res: Response) => (await res.text()).replace(/[\u00a0\u202f]/g, ' ');

  test('a page in English and in French by URL prefix, its time in the visitor\'s zone (Europe/London by default)', async () => {
    const { Question, Choice } = await import('./fixtures/parity-site/polls/models.js');
    const q = await Question.objects.create({ questionText: 'When?', slug: 'when', pubDate: new Date('2026-09-21T08:00:00Z') });
    await Choice.objects.create({ question: q, choiceText: 'Now', votes: 2 });
    await Choice.objects.create({ question: q, choiceText: 'Later', votes: 1 });
    const en = await plain(await visit('/polls/when/'));
    assert.match(en, /<html lang="en">/);
    assert.match(en, /Published <time datetime="2026-09-21T08:00:00.000Z">Monday, September 21, 2026 at 9:00 AM<\/time>/);
    assert.match(en, /<h2>Choices<\/h2>\s*<ol><li>Now — 2 votes<\/li><li>Later — 1 vote<\/li><\/ol>/);
    const fr = await visit('/fr/polls/when/');
    assert.equal(fr.headers.get('content-language'), 'fr');
    const frText = await plain(fr);
    assert.match(frText, /<html lang="fr">/);
    assert.match(frText, /Publiée le <time datetime="2026-09-21T08:00:00.000Z">lundi 21 septembre 2026 à 09:00<\/time>/);
    assert.match(frText, /<h2>Réponses<\/h2>\s*<ol><li>Now — 2 voix<\/li><li>Later — 1 voix<\/li><\/ol>/);
    // A visitor in New York (the time zone cookie the set_timezone form writes): the same instant, their wall time.
    const ny = await plain(await fetch(`${base}/fr/polls/when/`, { headers: { cookie: 'paddock_timezone=America%2FNew_York' } }));
    assert.match(ny, /lundi 21 septembre 2026 à 04:00<\/time>/);
    assert.equal((await visit('/de/polls/when/')).status, 404, 'a language the site does not offer has no pages');
  });

  test('the admin edits a question in its fieldsets, with its choices inline, in one save', async () => {
    const { Question, Choice } = await import('./fixtures/parity-site/polls/models.js');
    await createSuperuser({ username: 'admin', email: 'admin@example.com', password: 'a long admin passphrase' });
    const jar = new Map<string, string>();
    const go = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(base + path, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair!.indexOf('=');
        jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
      }
      return res;
    };
    const post = async (path: string, form: Record<string, string>) => {
      const html = await (await go(path)).text();
      const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html)?.[1];
      assert.ok(token, `a CSRF token on ${path}`);
      return go(path, { method: 'POST', body: new URLSearchParams({ csrfmiddlewaretoken: token, ...form }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    };
    const login = await post('/admin/login/?next=/admin/', { username: 'admin', password: 'a long admin passphrase', next: '/admin/' });
    assert.equal(login.status, 302, await login.clone().text());

    const q = await Question.objects.get({ slug: 'when' });
    const [now] = await Choice.objects.filter({ question: q, choiceText: 'Now' });
    const page = await go(`/admin/polls/question/${q.id}/change/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<details[^>]*>\s*<summary>Date information<\/summary>/, 'the folded fieldset');
    assert.match(html, /Was published recently/, 'the method shown as a read-only value');
    assert.match(html, /name="choices-TOTAL_FORMS" id="id_choices-TOTAL_FORMS" value="4"/, 'two saved choices and two empty rows');
    assert.match(html, /name="pubDate"[^>]*value="2026-09-21T09:00"/, 'the date in the site\'s zone (Europe/London)');

    const later = (await Choice.objects.get({ question: q, choiceText: 'Later' }));
    const saved = await post(`/admin/polls/question/${q.id}/change/`, {
      questionText: 'When, then?', slug: 'when', pubDate: '2026-09-21T09:00',
      'choices-TOTAL_FORMS': '3', 'choices-INITIAL_FORMS': '2',
      'choices-0-id': String(now!.id), 'choices-0-choiceText': 'Right now', 'choices-0-votes': '2',
      'choices-1-id': String(later.id), 'choices-1-choiceText': 'Later', 'choices-1-votes': '1', 'choices-1-DELETE': 'on',
      'choices-2-choiceText': 'Tomorrow', 'choices-2-votes': '0',
    });
    assert.equal(saved.status, 302, await saved.clone().text());
    const after = await Question.objects.get({ id: q.id });
    assert.equal(after.questionText, 'When, then?');
    assert.equal(after.pubDate.toISOString(), '2026-09-21T08:00:00.000Z', 'read back in the same zone: the instant is unchanged');
    const texts = (await Choice.objects.filter({ question: q }).orderBy('id')).map((c) => c.choiceText);
    assert.deepEqual(texts, ['Right now', 'Tomorrow']);
  });
});
