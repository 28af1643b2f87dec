import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { app, include, path, render, Response, TemplateDoesNotExist, type Request, type TemplateEngineFactory } from '@paddock/runtime';
import { authApp } from '@paddock/runtime/contrib/auth';
import { call, makeSite, tempDir } from './helpers/site.js';

const tmp = tempDir('pdk-templates-');
const write = (rel: string, text: string) => {
  const p = join(tmp.dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
};

before(() => {
  write('templates/base.html', '<html><title>{% block title %}Site{% endblock %}</title><body>{% block content %}{% endblock %}<footer>{{ user.isAuthenticated }}</footer></body></html>');
  write('blog/templates/blog/list.html', '{% extends "base.html" %}{% block title %}Posts{% endblock %}{% block content %}<ul>{% for p in posts %}<li><a href="{% url \'blog:detail\' slug=p.slug %}">{{ p.title }}</a></li>{% endfor %}</ul>{{ trusted | safe }}{% endblock %}');
  write('blog/templates/blog/override.html', 'from app');
  write('templates/blog/override.html', 'from site DIRS');
  write('blog/templates/blog/form.html', '<form method="post">{% csrf_token %}<a href="{% static \'blog/x.css\' %}"></a>{{ request.path }}</form>');
});
after(() => tmp.cleanup());

function site() {
  return makeSite({
    dir: tmp.dir,
    // authApp gives templates {{ user }} (its context processor).
    apps: [authApp, app('blog', join(tmp.dir, 'blog'))],
    urls: [include('blog/', [
      path('', (req: Request) => render(req, 'blog/list.html', {
        posts: [{ slug: 'one', title: '<script>alert("x")</script>' }, { slug: 'two', title: 'Tom & "Jerry"' }],
        trusted: '<b>bold</b>',
      }), { name: 'list' }),
      path('form/', (req: Request) => render(req, 'blog/form.html'), { name: 'form' }),
      path('override/', (req: Request) => render(req, 'blog/override.html')),
      path('missing/', (req: Request) => render(req, 'blog/nope.html')),
      path('<slug:slug>/', () => new Response(''), { name: 'detail' }),
    ], { namespace: 'blog' })],
  });
}

describe('templates', () => {
  it('auto-escapes data: <script> in a title never reaches the page unescaped', async () => {
    const html = (await call(site(), '/blog/')).text();
    assert.ok(!html.includes('<script>'), html);
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
    assert.ok(html.includes('Tom &amp; &quot;Jerry&quot;'));
    assert.ok(html.includes('<b>bold</b>'), '| safe opts out explicitly');
  });

  it('inherits a base template and reverses {% url %} with namespaces', async () => {
    const html = (await call(site(), '/blog/')).text();
    assert.match(html, /^<html><title>Posts<\/title>/);
    assert.ok(html.includes('href="/blog/one/"'));
    assert.ok(html.includes('<footer>false</footer>'), 'the user context processor gives an anonymous user');
  });

  it('searches TEMPLATES.DIRS before app folders, so a site overrides an app template', async () => {
    assert.equal((await call(site(), '/blog/override/')).text(), 'from site DIRS');
  });

  it('renders {% csrf_token %} as a hidden input, {% static %} under STATIC_URL, and {{ request }}', async () => {
    const res = await call(site(), '/blog/form/');
    assert.match(res.text(), /<input type="hidden" name="csrfmiddlewaretoken" value="[A-Za-z0-9_-]{86}">/);
    assert.ok(res.text().includes('href="/static/blog/x.css"'));
    assert.ok(res.text().includes('/blog/form/</form>'));
    assert.ok(res.cookies.some((c) => c.startsWith('csrftoken=')));
    const list = await call(site(), '/blog/');
    assert.equal(list.cookies.length, 0, 'pages without a form set no CSRF cookie');
  });

  it('reports a missing template with the folders it searched (500 page, detail in the log)', async () => {
    const s = site();
    await assert.rejects(s.templates.render('blog/nope.html', {}), TemplateDoesNotExist);
    assert.equal((await call(s, '/blog/missing/')).status, 500);
  });

  it('plugs in a second engine through TEMPLATES.BACKEND', async () => {
    const upper: TemplateEngineFactory = () => ({
      has: () => true,
      render: async (name, ctx) => `${name}:${String(ctx.greeting).toUpperCase()}`,
      renderString: async (s) => s,
    });
    const s = makeSite({ urls: [path('', (req: Request) => render(req, 'hi.txt', { greeting: 'hello' }))], settings: { TEMPLATES: { BACKEND: upper } } });
    assert.equal((await call(s, '/')).text(), 'hi.txt:HELLO');
  });
});
