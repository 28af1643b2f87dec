// The runtime's hello route (full middleware stack, served by paddock-runtime) vs a raw node:http hello world.
// Reports req/s and, steadier on a shared machine, CPU time per request of each server's processes.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** CPU time (ms, user + system) used so far by every process in a process group. */
function groupCpuMs(pgid) {
  let ticks = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try { stat = readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

const RAW = `require('node:http').createServer((q, s) => { s.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }); s.end('Hello, world!'); })
  .listen(Number(process.argv[1]), '127.0.0.1');`;

export default {
  name: 'runtime-hello',
  description: 'paddock-runtime serving a hello view (security + CSRF middleware on) vs raw node:http',
  target: { ratio: 0.6, compare: '>=' },
  async run(ctx) {
    const basePort = await ctx.freePort();
    const base = await ctx.startProcess(process.execPath, ['-e', RAW, String(basePort)], { name: 'node:http hello', port: basePort, timeoutMs: 60000 });
    const baseUrl = `http://127.0.0.1:${basePort}/`;
    const app = await ctx.startProcess(process.execPath, [
      `${root}runtime/bin/paddock-runtime.mjs`, 'serve', `${root}runtime/test/fixtures/hello`, '--port', '0', '--host', '127.0.0.1',
    ], {
      name: 'paddock-runtime hello', timeoutMs: 60000, ready: /"port":(\d+)[^\n]*"msg":"listening"|listening on port (\d+)/,
      env: { ...process.env, PADDOCK_RUNTIME_FROM: 'source', SECRET_KEY: 'bench-secret-key-bench-secret-key-bench-secret-key-0123', LOG_LEVEL: 'warn' },
    });
    const appUrl = `http://127.0.0.1:${app.match[1] ?? app.match[2]}/`;
    const cpu = { base: [], app: [] };
    const measure = (key, pgid, url) => async () => {
      const c0 = groupCpuMs(pgid);
      const r = await ctx.wrk(url);
      if (r.requests > 0) cpu[key].push((groupCpuMs(pgid) - c0) / r.requests);
      return r;
    };
    const runs = await ctx.interleave({ base: measure('base', base.pid, baseUrl), app: measure('app', app.pid, appUrl) });
    const b = ctx.medianRun(runs.base);
    const a = ctx.medianRun(runs.app);
    const bCpu = ctx.median(cpu.base);
    const aCpu = ctx.median(cpu.app);
    return [{
      subject: 'runtime hello view', baseline: 'node:http hello',
      measured: { 'req/s': Math.round(a.requestsPerSec), 'p99 ms': a.latencyMs.p99, 'baseline req/s': Math.round(b.requestsPerSec), errors: a.errors },
      ratio: a.requestsPerSec / b.requestsPerSec,
    }, {
      subject: 'runtime hello view, CPU per request', baseline: 'node:http hello, CPU per request',
      measured: { 'cpu µs/req': Math.round(aCpu * 1000), 'baseline cpu µs/req': Math.round(bCpu * 1000) },
      ratio: bCpu / aCpu,
    }];
  },
};
