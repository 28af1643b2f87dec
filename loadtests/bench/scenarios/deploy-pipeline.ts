// The deploy pipeline end to end, on the dev stack: push → live of the blog starter (upload,
// build, release image, migrations, start, health, edge switch), requests failed under constant
// load through the edge while a redeploy switches replicas, and an idle site container's RSS.
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../harness/index.mjs';
import { deployedSiteFixture } from '../../../control-plane/test/deploy/support.js';

const blog = fileURLToPath(new URL('../../../runtime/starters/blog', import.meta.url));

export default {
  name: 'deploy-pipeline',
  description: 'push → live of the blog starter, failed requests during a redeploy, idle container RSS',
  async run(ctx) {
    ctx.log('starting a platform, a site and an edge');
    const f = await deployedSiteFixture('bench');
    ctx.defer(() => f.close());
    const pushes = Math.max(3, ctx.rounds + 2);
    const times: number[] = [];
    for (let i = 0; i < pushes; i++) {
      const r = await f.push(blog);
      if (r.status !== 'succeeded') throw new Error(`push ${i + 1} failed: ${r.error}\n${r.log.slice(-10).join('\n')}`);
      ctx.log(`push ${i + 1}: live in ${r.ms.toFixed(0)} ms (${r.log.at(-1)})`);
      times.push(r.ms);
    }
    // The first push pays for the runtime image check and the migrations' first run; report both.
    const p50 = ctx.median(times);

    const url = `http://127.0.0.1:${f.edgePort}/`;
    const { report, result } = await ctx.underLoad(url, { headers: { host: f.host }, connections: 8, rate: 400 }, () => f.push(blog));
    if (result.status !== 'succeeded') throw new Error(`the redeploy under load failed: ${result.error}`);

    await new Promise((r) => setTimeout(r, 3000));
    const replicas = await f.deps.driver.list(f.site);
    const rss: number[] = [];
    for (const r of replicas) {
      const stats = await f.deps.docker!.getContainer(r.id).stats({ stream: false }) as { memory_stats?: { stats?: Record<string, number>; usage?: number } };
      const s = stats.memory_stats?.stats ?? {};
      rss.push((s.total_rss ?? s.rss ?? s.anon ?? stats.memory_stats?.usage ?? 0) / 1024 / 1024);
    }
    const idleMb = Math.max(...rss);

    return [
      {
        subject: 'blog starter push → live (p50)', baseline: '5 s budget',
        measured: { 'p50 ms': Math.round(p50), 'first ms': Math.round(times[0]!), 'pushes': pushes },
        ratio: p50 / 5000, target: { ratio: 1, compare: '<=' },
      },
      {
        subject: 'failed requests during a redeploy', baseline: 'zero',
        measured: { failed: report.failed, requests: report.requests, 'req/s': Math.round(report.requestsPerSec), 'max ms': Math.round(report.maxLatencyMs) },
        ratio: report.failed, target: { ratio: 0, compare: '<=' },
      },
      {
        subject: 'idle site container RSS', baseline: '60 MB budget',
        measured: { 'RSS MB': Number(idleMb.toFixed(1)) },
        ratio: idleMb / 60, target: { ratio: 1, compare: '<=' },
      },
    ];
  },
} satisfies Scenario;
