// The blog starter's list page (20 posts from Postgres, auto-escaped, inherited base template) on paddock-runtime
// vs the same page in Django 3.2 under gunicorn with 2 workers, both reading the same table in the same database.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { groupCpuMs } from '../harness/index.mjs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = `${root}runtime/bin/paddock-runtime.mjs`;
const SITE = `${root}runtime/starters/blog`;
const SECRET = 'bench-secret-key-bench-secret-key-bench-secret-key-0123';

function runOnce(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}: ${out.slice(-2000)}`))));
  });
}

export default {
  name: 'runtime-blog',
  description: 'blog list page (20 posts, Postgres, escaped, base template): paddock-runtime vs Django 3.2 + gunicorn -w 2',
  target: { ratio: 5, compare: '>=' },
  async run(ctx) {
    const adminUrl = process.env.PADDOCK_PG_ADMIN_URL;
    if (!adminUrl) throw new Error('PADDOCK_PG_ADMIN_URL is not set: run the benchmarks with `npm run bench`, which brings up the dev stack and passes its settings.');
    if (!adminUrl) throw new Error('PADDOCK_PG_ADMIN_URL is not set: run `npm run stack` first.');
    const name = `bench_blog_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    ctx.defer(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    });
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const databaseUrl = url.href;
    // CACHE_URL dummy://: the starter caches its list page; here both sides must render it from Postgres every time.
    const env = { ...process.env, PADDOCK_RUNTIME_FROM: 'source', DATABASE_URL: databaseUrl, SECRET_KEY: SECRET, ALLOWED_HOSTS: '127.0.0.1,localhost', DEBUG: 'false', CACHE_URL: 'dummy://' };

    ctx.log('migrating the blog starter');
    await runOnce(process.execPath, [BIN, 'migrate', SITE], env);
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      for (let i = 0; i < 30; i++) {
        await db.query('INSERT INTO blog_post (title, slug, body, author, published) VALUES ($1, $2, $3, $4, $5)', [
          `Post ${i} <script>alert(${i})</script> & friends`, `post-${i}`,
          `Body of post ${i}. `.repeat(20) + '<b>not bold</b>', 'Ada', new Date(Date.UTC(2026, 0, 1 + i)),
        ]);
      }
    } finally {
      await db.end();
    }

    const ready = /"port":(\d+)[^\n]*"msg":"listening"|listening on port (\d+)/;
    const app = await ctx.startProcess(process.execPath, [BIN, 'serve', SITE, '--port', '0', '--host', '127.0.0.1'], {
      name: 'paddock-runtime blog', env, ready, timeoutMs: 60000,
    });
    const appUrl = `http://127.0.0.1:${app.match[1] ?? app.match[2]}/`;
    // The same process count as gunicorn -w 2: one port shared by two node:cluster workers.
    const app2Port = await ctx.freePort();
    const app2 = await ctx.startProcess(process.execPath, [BIN, 'serve', SITE, '--port', String(app2Port), '--host', '127.0.0.1', '--workers', '2'], {
      name: 'paddock-runtime blog --workers 2', env, port: app2Port, timeoutMs: 60000,
    });
    const app2Url = `http://127.0.0.1:${app2Port}/`;
    const djPort = await ctx.freePort();
    const dj = await ctx.startProcess('/usr/bin/gunicorn', ['-w', '2', '-b', `127.0.0.1:${djPort}`, '--chdir', `${root}loadtests/bench/django`, 'benchsite.wsgi'], {
      name: 'django gunicorn', env, port: djPort, timeoutMs: 60000,
    });
    const djUrl = `http://127.0.0.1:${djPort}/`;

    // Both must serve the same page before their speed means anything.
    for (const [who, u] of [['runtime', appUrl], ['runtime --workers 2', app2Url], ['django', djUrl]]) {
      const res = await fetch(u);
      const html = await res.text();
      const items = (html.match(/<li>/g) ?? []).length;
      if (res.status !== 200 || items !== 20 || html.includes('<script>') || !html.includes('&lt;script&gt;')) {
        throw new Error(`${who} did not serve the expected page (status ${res.status}, ${items} items): ${html.slice(0, 500)}`);
      }
    }

    // CPU per request as well as req/s: on a shared machine throughput swings with other load, CPU cost much less.
    const cpu = { django: [], runtime: [], runtime2: [] };
    const measure = (key, pgid, u) => async () => {
      const c0 = groupCpuMs(pgid);
      const r = await ctx.wrk(u);
      if (r.requests > 0) cpu[key].push((groupCpuMs(pgid) - c0) / r.requests);
      return r;
    };
    const runs = await ctx.interleave({
      django: measure('django', dj.pid, djUrl), runtime: measure('runtime', app.pid, appUrl), runtime2: measure('runtime2', app2.pid, app2Url),
    });
    const d = ctx.medianRun(runs.django);
    const dCpu = ctx.median(cpu.django);
    const row = (subject, a, extra = {}) => ({
      ...extra,
      subject, baseline: 'Django 3.2 gunicorn -w 2',
      measured: { 'req/s': Math.round(a.requestsPerSec), 'p99 ms': a.latencyMs.p99, 'baseline req/s': Math.round(d.requestsPerSec), 'baseline p99 ms': d.latencyMs.p99, errors: a.errors + d.errors },
      ratio: a.requestsPerSec / d.requestsPerSec,
    });
    const cpuRow = (subject, key) => {
      const ms = ctx.median(cpu[key]);
      return {
        subject, baseline: 'Django 3.2 gunicorn -w 2, CPU per request',
        measured: { 'cpu ms/req': Number(ms.toFixed(3)), 'baseline cpu ms/req': Number(dCpu.toFixed(3)) },
        ratio: dCpu / ms,
      };
    };
    return [
      // The figure is 2 workers each (the next row); one process against Django's two is shown for scale.
      row('paddock-runtime blog list (1 process, informational)', ctx.medianRun(runs.runtime), { target: null }),
      row('paddock-runtime blog list (--workers 2)', ctx.medianRun(runs.runtime2)),
      cpuRow('blog list CPU efficiency (1 process)', 'runtime'),
      cpuRow('blog list CPU efficiency (--workers 2)', 'runtime2'),
    ];
  },
};
