// The parity test site (runtime/test/fixtures/parity-site), booted as the site host boots a site and driven over HTTP
// as a visitor would: an uploaded image shown back, a model form refusing a duplicate with a form error, a prefetched
// relation looped over in a template, model methods in templates, a LiquidJS page. Real Postgres, a real server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate, type Site } from '@paddock/runtime';
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
});
