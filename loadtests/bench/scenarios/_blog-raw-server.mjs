// The blog starter's list and detail pages hand-written on node:http + pg, no framework: the floor the runtime is
// measured against in runtime-blog. Same queries, same HTML (escaped, dates in long form, bodies cut at 140
// characters), same security headers. `node _blog-raw-server.mjs` with DATABASE_URL and PORT (0 = any); prints
// "listening on <port>".
import { createServer } from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const longDate = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' });
const HEADERS = {
  'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin', 'cross-origin-opener-policy': 'same-origin',
};
const SLUG = /^\/([-a-zA-Z0-9_]+)\/$/;

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** Nunjucks' truncate(140): cut at the last space before the limit, then '...'. */
function truncate(s, n = 140) {
  if (s.length <= n) return s;
  const cut = s.slice(0, n);
  const space = cut.lastIndexOf(' ');
  return `${space > 0 ? cut.slice(0, space) : cut}...`;
}

const page = (title, content) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title}</title>
  <link rel="stylesheet" href="/static/blog/style.css">
  <link rel="alternate" type="application/rss+xml" title="Latest posts" href="/feed/">
</head>
<body>
  <header><a href="/">Blog</a> · <a href="/new/">Write</a> · <a href="/admin/">Admin</a></header>
  <main>
${content}</main>
</body>
</html>
`;

const time = (d) => (d ? `<time datetime="${d.toISOString()}">${longDate.format(d)}</time>` : '<time datetime=""></time>');

async function list() {
  const { rows } = await pool.query(
    'SELECT id, title, slug, body, author, published FROM blog_post WHERE published <= $1 ORDER BY published DESC LIMIT 20', [new Date()]);
  const items = rows.map((p) => `  <li><a href="/${encodeURIComponent(p.slug)}/">${escape(p.title)}</a> ${time(p.published)}
    <p>${escape(truncate(p.body))}</p></li>
`).join('');
  return page('Latest posts', `<h1>Latest posts</h1>\n<ul class="posts">\n${items}</ul>\n`);
}

async function detail(slug) {
  const { rows } = await pool.query(
    'SELECT id, title, slug, body, author, published FROM blog_post WHERE published <= $1 AND slug = $2 LIMIT 21', [new Date(), slug]);
  if (rows.length !== 1) return null;
  const p = rows[0];
  return page(escape(p.title), `<article>
  <h1>${escape(p.title)}</h1>
  <p class="meta">${p.author ? `By ${escape(p.author)}, ` : ''}${time(p.published)}</p>
  <div class="body">${escape(p.body)}</div>
</article>
`);
}

function send(res, status, body, extra = {}) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...HEADERS, ...extra, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method Not Allowed', { allow: 'GET, HEAD' });
  const path = req.url.split('?')[0];
  const slug = path === '/' ? null : SLUG.exec(path)?.[1];
  const work = path === '/' ? list().then((html) => send(res, 200, html, { 'cache-control': 'max-age=0' }))
    : slug ? detail(slug).then((html) => (html === null ? send(res, 404, 'Not Found') : send(res, 200, html, { vary: 'Accept' })))
      : Promise.resolve(send(res, 404, 'Not Found'));
  work.catch((err) => {
    console.error(err);
    if (!res.headersSent) send(res, 500, 'Server Error');
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
