// The runtime's hello route (full middleware stack, served by paddock-runtime) vs a raw node:http hello world.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export default {
  name: 'runtime-hello',
  description: 'paddock-runtime serving a hello view (security + CSRF middleware on) vs raw node:http',
  target: { ratio: 0.6, compare: '>=' },
  async run(ctx) {
    const base = await ctx.helloUpstream({ body: 'Hello, world!' });
    const app = await ctx.startProcess(process.execPath, [
      `${root}runtime/bin/paddock-runtime.mjs`, 'serve', `${root}runtime/test/fixtures/hello`, '--port', '0', '--host', '127.0.0.1',
    ], {
      name: 'paddock-runtime hello', timeoutMs: 60000, ready: /"port":(\d+)[^\n]*"msg":"listening"|listening on port (\d+)/,
      env: { ...process.env, PADDOCK_RUNTIME_FROM: 'source', SECRET_KEY: 'bench-secret-key-bench-secret-key-bench-secret-key-0123', LOG_LEVEL: 'warn' },
    });
    const appUrl = `http://127.0.0.1:${app.match[1] ?? app.match[2]}/`;
    const runs = await ctx.interleave({ base: () => ctx.wrk(base.url), app: () => ctx.wrk(appUrl) });
    const b = ctx.medianRun(runs.base);
    const a = ctx.medianRun(runs.app);
    return [{
      subject: 'runtime hello view', baseline: 'node:http hello',
      measured: { 'req/s': Math.round(a.requestsPerSec), 'p99 ms': a.latencyMs.p99, 'baseline req/s': Math.round(b.requestsPerSec), errors: a.errors },
      ratio: a.requestsPerSec / b.requestsPerSec,
    }];
  },
};
