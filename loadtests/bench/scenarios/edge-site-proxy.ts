// The edge in front of a real site container vs plain nginx proxying to the same container:
// what Paddock's data plane (HAProxy with 1 map lookup and server slots, its config as the edge
// renders it) costs over the simplest proxy. Both run on loopback, one worker/thread each.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../harness/index.mjs';
import { deployedSiteFixture } from '../../../control-plane/test/deploy/support.js';

const hello = fileURLToPath(new URL('../../../control-plane/test/deploy/fixtures/hello', import.meta.url));

export default {
  name: 'edge-site-proxy',
  description: 'site container through the edge (HAProxy, as rendered) vs through plain nginx',
  target: { ratio: 0.9, compare: '>=' },
  async run(ctx) {
    ctx.log('starting a platform, a site and an edge, pushing the hello site');
    const f = await deployedSiteFixture('edgebench');
    ctx.defer(() => f.close());
    const r = await f.push(hello);
    if (r.status !== 'succeeded') throw new Error(`push failed: ${r.error}`);
    const [replica] = await f.deps.driver.list(f.site);
    if (!replica?.address) throw new Error('the site has no running replica');
    const upstream = `${replica.address.host}:${replica.address.port}`;

    const dir = await ctx.tmpDir('nginx-');
    const nginxPort = await ctx.freePort();
    writeFileSync(join(dir, 'nginx.conf'), `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream site { server ${upstream}; keepalive 64; }
  server {
    listen 127.0.0.1:${nginxPort};
    location / { proxy_pass http://site; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; }
  }
}
`);
    await ctx.startProcess('/usr/sbin/nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { name: 'nginx', port: nginxPort });
    // "Host" capitalised: wrk adds its own Host header unless it finds exactly this name.
    const headers = { Host: f.host };
    const runs = await ctx.interleave({
      nginx: () => ctx.wrk(`http://127.0.0.1:${nginxPort}/`, { headers }),
      edge: () => ctx.wrk(`http://127.0.0.1:${f.edgePort}/`, { headers }),
    });
    const e = ctx.medianRun(runs.edge);
    const n = ctx.medianRun(runs.nginx);
    if (e.errors > 0) {
      const probe = await fetch(`http://127.0.0.1:${f.edgePort}/`, { headers }).then(async (x) => `${x.status} ${(await x.text()).slice(0, 200)}`, (err: Error) => err.message);
      throw new Error(`${e.errors} requests failed through the edge (non-2xx ${e.non2xx}, socket ${JSON.stringify(e.socketErrors)}; a probe got: ${probe})`);
    }
    return [{
      subject: 'edge (HAProxy) → site container', baseline: 'plain nginx → same container',
      measured: { 'req/s': Math.round(e.requestsPerSec), 'p99 ms': e.latencyMs.p99 ?? 0, 'nginx req/s': Math.round(n.requestsPerSec) },
      ratio: ctx.pairedRatio(runs.edge, runs.nginx, (x) => x.requestsPerSec),
    }];
  },
} satisfies Scenario;
