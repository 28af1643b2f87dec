import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { path, render, type Request } from '@paddock/runtime';
import { LocMemCache, fragmentCacheExtension } from '@paddock/runtime/cache';
import { call, inlineTemplates, makeSite } from '../helpers/site.js';

test('{% cache %} renders a fragment once per name and vary values, escaped, then serves it from the cache', async () => {
  const cache = new LocMemCache({ name: `fragment-${randomBytes(4).toString('hex')}` });
  let computed = 0;
  const site = makeSite({
    urls: [path('', (req: Request) => render(req, 'page.html', {
      who: req.query.get('who') ?? 'anon',
      expensive: () => { computed++; return `<b>${computed}</b>`; },
    }))],
    settings: {
      TEMPLATES: {
        BACKEND: inlineTemplates({ 'page.html': "<p>{% cache 60, 'box', who %}{{ who }}:{{ expensive() }}{% endcache %}</p>" }),
        OPTIONS: { extensions: { cache: fragmentCacheExtension(cache) } },
      },
    },
  });
  const a1 = (await call(site, '/?who=ann')).text();
  const a2 = (await call(site, '/?who=ann')).text();
  const b1 = (await call(site, '/?who=<bob>')).text();
  assert.equal(a1, '<p>ann:&lt;b&gt;1&lt;/b&gt;</p>');
  assert.equal(a2, a1, 'served from the cache');
  assert.equal(b1, '<p>&lt;bob&gt;:&lt;b&gt;2&lt;/b&gt;</p>', 'another vary value renders again, still escaped');
  assert.equal(computed, 2);
});
