// The blog starter's list page (20 posts from Postgres, auto-escaped, inherited base template) and a post's page on
// paddock-runtime vs the same pages in Django 3.2 under gunicorn with 2 workers and hand-written on node:http + pg
// (_blog-raw-server.mjs), all reading the same table in the same database; and the runtime's --workers auto vs 1.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { groupCpuMs } from '../harness/index.mjs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = `${root}runtime/bin/paddock-runtime.mjs`;
const SITE = `${root}runtime/starters/blog`;
const RAW = fileURLToPath(new URL('./_blog-raw-server.mjs', import.meta.url));
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
  description: 'blog list and detail pages (Postgres, escaped, base template): paddock-runtime vs Django 3.2 + gunicorn -w 2 and vs node:http + pg; --workers auto vs 1',
  target: { ratio: 5, compare: '>=' },
  async run(ctx) {
    const adminUrl = process.env.PADDOCK_PG_ADMIN_URL;
    if (!adminUrl) throw new Error('PADDOCK_PG_ADMIN_URL is not set: run the benchmarks with `npm run bench`, which brings up the dev stack and passes its settings.');
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
    await runOnce(process.execPath, [BIN, 'migrate', '--site-dir', SITE], env);
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

    const serve = async (name, workers) => {
      const port = await ctx.freePort();
      const handle = await ctx.startProcess(process.execPath, [BIN, 'serve', '--site-dir', SITE, '--port', String(port), '--host', '127.0.0.1', '--workers', workers], {
        name, env, port, timeoutMs: 60000,
      });
      return { pid: handle.pid, base: `http://127.0.0.1:${port}/` };
    };
    const servers = {
      // One process, against the hand-written server's one.
      runtime: await serve('paddock-runtime blog', '1'),
      // As many processes as the CPUs this process may use (the default): 2 on the 2-core bench machine, the same
      // process count as gunicorn -w 2.
      runtimeAuto: await serve('paddock-runtime blog --workers auto', 'auto'),
    };
    const djPort = await ctx.freePort();
    const dj = await ctx.startProcess('/usr/bin/gunicorn', ['-w', '2', '-b', `127.0.0.1:${djPort}`, '--chdir', `${root}loadtests/bench/django`, 'benchsite.wsgi'], {
      name: 'django gunicorn', env, port: djPort, timeoutMs: 60000,
    });
    servers.django = { pid: dj.pid, base: `http://127.0.0.1:${djPort}/` };
    const raw = await ctx.startProcess(process.execPath, [RAW], { name: 'node:http + pg blog', env: { ...env, PORT: '0' }, ready: /listening on (\d+)/, timeoutMs: 30000 });
    servers.raw = { pid: raw.pid, base: `http://127.0.0.1:${raw.match[1]}/` };

    // Each must serve the same pages before their speed means anything.
    for (const [who, s] of Object.entries(servers)) {
      const res = await fetch(s.base);
      const html = await res.text();
      const items = (html.match(/<li>/g) ?? []).length;
      if (res.status !== 200 || items !== 20 || html.includes('<script>') || !html.includes('&lt;script&gt;')) {
        throw new Error(`${who} did not serve the expected list page (status ${res.status}, ${items} items): ${html.slice(0, 500)}`);
      }
      const one = await fetch(`${s.base}post-3/`);
      const page = await one.text();
      if (one.status !== 200 || !page.includes('<h1>Post 3 &lt;script&gt;') || !page.includes('&lt;b&gt;not bold')) {
        throw new Error(`${who} did not serve the expected detail page (status ${one.status}): ${page.slice(0, 500)}`);
      }
    }

    // CPU per request as well as req/s: on a shared machine throughput swings with other load, CPU cost much less.
    const cpu = {};
    const measure = (key, s, path) => async () => {
      const c0 = groupCpuMs(s.pid);
      const r = await ctx.wrk(`${s.base}${path}`);
      if (r.requests > 0) (cpu[key] ??= []).push((groupCpuMs(s.pid) - c0) / r.requests);
      return r;
    };
    const PAGES = { list: '', detail: 'post-3/' };
    const subjects = {};
    for (const [page, path] of Object.entries(PAGES)) {
      for (const [who, s] of Object.entries(servers)) {
        // A warm-up run first: V8 compiling the code would otherwise count in the first round.
        await ctx.wrk(`${s.base}${path}`, { duration: 1 });
        subjects[`${page}:${who}`] = measure(`${page}:${who}`, s, path);
      }
    }
    const runs = await ctx.interleave(subjects);
    const cpuMs = (key) => ctx.median(cpu[key] ?? []);
    const figures = (r) => ({ 'req/s': Math.round(r.requestsPerSec), 'p99 ms': r.latencyMs.p99 });

    const rows = [];
    for (const page of Object.keys(PAGES)) {
      const k = (who) => `${page}:${who}`;
      const d = ctx.medianRun(runs[k('django')]);
      const vsDjango = (subject, who, extra = {}) => {
        const a = ctx.medianRun(runs[k(who)]);
        return {
          ...extra, subject, baseline: 'Django 3.2 gunicorn -w 2',
          measured: { ...figures(a), 'baseline req/s': Math.round(d.requestsPerSec), 'baseline p99 ms': d.latencyMs.p99, errors: a.errors + d.errors },
          ratio: ctx.pairedRatio(runs[k(who)], runs[k('django')]),
        };
      };
      // The figure is 2 processes each (auto = 2 here); one process against Django's two is shown for scale.
      rows.push(vsDjango(`blog ${page}, runtime 1 process (informational)`, 'runtime', { target: null }));
      rows.push(vsDjango(`blog ${page}, runtime --workers auto (${availableParallelism()} CPUs)`, 'runtimeAuto'));
      rows.push({
        subject: `blog ${page} CPU efficiency, runtime 1 process`, baseline: 'Django 3.2 gunicorn -w 2, CPU per request',
        measured: { 'cpu ms/req': Number(cpuMs(k('runtime')).toFixed(3)), 'baseline cpu ms/req': Number(cpuMs(k('django')).toFixed(3)) },
        ratio: cpuMs(k('django')) / cpuMs(k('runtime')),
      });
      const r = ctx.medianRun(runs[k('raw')]);
      const a = ctx.medianRun(runs[k('runtime')]);
      rows.push({
        subject: `blog ${page}, runtime 1 process`, baseline: 'node:http + pg, 1 process',
        measured: { ...figures(a), 'baseline req/s': Math.round(r.requestsPerSec), 'baseline p99 ms': r.latencyMs.p99, errors: a.errors + r.errors },
        ratio: ctx.pairedRatio(runs[k('runtime')], runs[k('raw')]), target: { ratio: 0.9, compare: '>=' },
      });
      rows.push({
        subject: `blog ${page} CPU per request, runtime 1 process`, baseline: 'node:http + pg, 1 process, CPU per request',
        measured: { 'cpu ms/req': Number(cpuMs(k('runtime')).toFixed(3)), 'baseline cpu ms/req': Number(cpuMs(k('raw')).toFixed(3)) },
        ratio: cpuMs(k('runtime')) / cpuMs(k('raw')), target: { ratio: 1.3, compare: '<=' },
      });
      // More processes must never be worse than one: throughput at least as high (5 % noise allowed), p99 no worse.
      const w = ctx.medianRun(runs[k('runtimeAuto')]);
      rows.push({
        subject: `blog ${page}, --workers auto (${availableParallelism()} CPUs) req/s`, baseline: '--workers 1',
        measured: { ...figures(w), 'baseline req/s': Math.round(a.requestsPerSec), 'baseline p99 ms': a.latencyMs.p99 },
        ratio: ctx.pairedRatio(runs[k('runtimeAuto')], runs[k('runtime')]), target: { ratio: 0.95, compare: '>=' },
      });
      rows.push({
        subject: `blog ${page} CPU per request, --workers auto (informational)`, baseline: '--workers 1, CPU per request',
        measured: { 'cpu ms/req': Number(cpuMs(k('runtimeAuto')).toFixed(3)), 'baseline cpu ms/req': Number(cpuMs(k('runtime')).toFixed(3)) },
        ratio: cpuMs(k('runtimeAuto')) / cpuMs(k('runtime')), target: null,
      });
      rows.push({
        subject: `blog ${page}, --workers auto p99 latency`, baseline: '--workers 1 p99 latency',
        measured: { 'p99 ms': w.latencyMs.p99, 'baseline p99 ms': a.latencyMs.p99 },
        ratio: ctx.pairedRatio(runs[k('runtimeAuto')], runs[k('runtime')], (x) => x.latencyMs.p99), target: { ratio: 1.25, compare: '<=' },
      });
    }
    return rows;
  },
};
