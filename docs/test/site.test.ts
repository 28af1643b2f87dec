// The docs site (docs/site, built with the runtime): every page of docs/ at its URL with the navigation of
// docs/index.md, links between pages rewritten to site URLs, one address per page, and nothing but Markdown pages.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { logger, type Response, type Site } from '@paddock/runtime';
import { loadSite } from '@paddock/runtime/host';

const siteDir = fileURLToPath(new URL('../site', import.meta.url));
logger.level = 'fatal';

describe('the docs site', () => {
  let site: Site;
  before(async () => { site = await loadSite(siteDir, { dev: true, env: {} }); });

  const get = (url: string): Promise<Response> => site.handle(site.request({
    method: 'GET', url, headers: { host: 'localhost' }, body: null, ip: '127.0.0.1', encrypted: false,
  }));

  test('the index page has the navigation of docs/index.md, in its order', async () => {
    const res = await get('/');
    assert.equal(res.status, 200);
    const html = res.text();
    assert.match(html, /<title>Paddock documentation · Paddock documentation<\/title>/);
    const tutorial = html.indexOf('href="/tutorial/01-requests-and-responses/"');
    const topics = html.indexOf('href="/topics/models/"');
    assert.ok(tutorial > 0 && topics > tutorial, 'the tutorial comes before the topic guides');
    assert.match(html, /<h2>Reference<\/h2>/);
  });

  test('a page is rendered from its Markdown, its links and anchors made site URLs, with the next page linked', async () => {
    const res = await get('/tutorial/03-views-and-templates/');
    assert.equal(res.status, 200);
    const html = res.text();
    assert.match(html, /<h1 id="part-3-views-and-templates">Part 3: Views and templates<\/h1>/);
    assert.match(html, /href="\/topics\/templates\/#coming-from-django"/, 'a link to another page and its heading');
    assert.match(html, /<code class="language-ts">/, 'code blocks keep their language only');
    assert.doesNotMatch(html, /file=polls/, 'the tutorial\'s attributes are not shown');
    assert.match(html, /aria-current="page">Part 3/);
    assert.match(html, /rel="next" href="\/tutorial\/04-forms-and-generic-views\/"/);
  });

  test('the generated reference is served too', async () => {
    const res = await get('/reference/api/');
    assert.equal(res.status, 200);
    assert.match(res.text(), /@paddock\/runtime\/forms/);
  });

  test('each page has one address: the .md name and the slash-less path redirect to it', async () => {
    for (const url of ['/topics/models.md', '/topics/models']) {
      const res = await get(url);
      assert.equal(res.status, 301, url);
      assert.equal(res.getHeader('location'), '/topics/models/');
    }
  });

  test('nothing but the pages: no sources, no files outside docs/, no missing pages', async () => {
    for (const url of ['/nothing-here/', '/site/site/', '/tools/reference/', '/../package/', '/%2e%2e/README/', '/.gitignore']) {
      assert.equal((await get(url)).status, 404, url);
    }
  });
});
