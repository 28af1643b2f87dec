// The runtime's hello route (full middleware stack, served by paddock-runtime) vs a raw node:http hello world, with a
// plain Fastify hello in the same run to show how much of the gap is Fastify's and how much the runtime's own.
// Reports req/s and, steadier on a shared machine, CPU time per request of each server's processes.
import { groupCpuMs } from '../harness/index.mjs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

const RAW = `require('node:http').createServer((q, s) => { s.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }); s.end('Hello, world!'); })
  .listen(Number(process.argv[1]), '127.0.0.1');`;

// Fastify 5 as the runtime uses it underneath (no logger), one route, the same body.
const FASTIFY = `const app = require('fastify')({ logger: false });
app.get('/', (q, r) => { r.header('content-type', 'text/plain; charset=utf-8'); r.send('Hello, world!'); });
app.listen({ port: Number(process.argv[1]), host: '127.0.0.1' });`;

export default {
  name: 'runtime-hello',
  description: 'paddock-runtime serving a hello view (security + CSRF middleware on) vs raw node:http, plain Fastify alongside',
  target: { ratio: 0.6, compare: '>=' },
  async run(ctx) {
    const basePort = await ctx.freePort();
    const base = await ctx.startProcess(process.execPath, ['-e', RAW, String(basePort)], { name: 'node:http hello', port: basePort, timeoutMs: 60000 });
    const fastifyPort = await ctx.freePort();
    const fastify = await ctx.startProcess(process.execPath, ['-e', FASTIFY, String(fastifyPort)], {
      name: 'fastify hello', port: fastifyPort, cwd: root, timeoutMs: 60000,
    });
    const app = await ctx.startProcess(process.execPath, [
      `${root}runtime/bin/paddock-runtime.mjs`, 'serve', `${root}runtime/test/fixtures/hello`, '--port', '0', '--host', '127.0.0.1',
    ], {
      name: 'paddock-runtime hello', timeoutMs: 60000, ready: /"port":(\d+)[^\n]*"msg":"listening"|listening on port (\d+)/,
      env: { ...process.env, PADDOCK_RUNTIME_FROM: 'source', SECRET_KEY: 'bench-secret-key-bench-secret-key-bench-secret-key-0123', LOG_LEVEL: 'warn' },
    });
    const urls = {
      base: `http://127.0.0.1:${basePort}/`,
      fastify: `http://127.0.0.1:${fastifyPort}/`,
      app: `http://127.0.0.1:${app.match[1] ?? app.match[2]}/`,
    };
    const pids = { base: base.pid, fastify: fastify.pid, app: app.pid };
    // One short untimed run each first: the comparison is of warm servers, not of how fast V8 compiles each.
    for (const url of Object.values(urls)) await ctx.wrk(url, { duration: 1 });
    const cpu = { base: [], fastify: [], app: [] };
    const measure = (key) => async () => {
      const c0 = groupCpuMs(pids[key]);
      const r = await ctx.wrk(urls[key]);
      cpu[key].push(r.requests > 0 ? (groupCpuMs(pids[key]) - c0) / r.requests : NaN);
      return r;
    };
    const runs = await ctx.interleave({ base: measure('base'), fastify: measure('fastify'), app: measure('app') });
    const b = ctx.medianRun(runs.base);
    const f = ctx.medianRun(runs.fastify);
    const a = ctx.medianRun(runs.app);
    const us = (ms) => Math.round(ms * 1000 * 10) / 10;
    // CPU ratios per round, like req/s: baseline CPU / subject CPU of the same round.
    const cpuRatio = (key) => ctx.median(cpu[key].map((c, i) => cpu.base[i] / c));
    return [{
      subject: 'runtime hello view', baseline: 'node:http hello',
      measured: { 'req/s': Math.round(a.requestsPerSec), 'p99 ms': a.latencyMs.p99, 'baseline req/s': Math.round(b.requestsPerSec), errors: a.errors },
      ratio: ctx.pairedRatio(runs.app, runs.base),
    }, {
      subject: 'runtime hello view, CPU per request', baseline: 'node:http hello, CPU per request',
      measured: { 'cpu µs/req': us(ctx.median(cpu.app)), 'baseline cpu µs/req': us(ctx.median(cpu.base)) },
      ratio: cpuRatio('app'),
    }, {
      subject: 'plain Fastify 5 hello (informational)', baseline: 'node:http hello',
      measured: { 'req/s': Math.round(f.requestsPerSec), 'cpu µs/req': us(ctx.median(cpu.fastify)), errors: f.errors },
      ratio: ctx.pairedRatio(runs.fastify, runs.base), target: null,
    }, {
      // What the runtime's own code costs on top of Fastify: 1.0 would mean nothing.
      subject: 'runtime hello view vs plain Fastify, CPU per request (informational)', baseline: 'plain Fastify 5 hello, CPU per request',
      measured: { 'cpu µs/req': us(ctx.median(cpu.app)), 'fastify cpu µs/req': us(ctx.median(cpu.fastify)) },
      ratio: ctx.median(cpu.app.map((c, i) => cpu.fastify[i] / c)), target: null,
    }];
  },
};
