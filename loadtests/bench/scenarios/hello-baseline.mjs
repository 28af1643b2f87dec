// Sanity check of the harness itself: the hello-world baseline measured against itself must come
// out near 1.0; far from it, the machine is too noisy for the other ratios to mean much.
export default {
  name: 'hello-baseline',
  description: 'node:http hello world against itself (noise floor of this machine)',
  target: { ratio: 0.8, compare: '>=' },
  async run(ctx) {
    const a = await ctx.helloUpstream();
    const b = await ctx.helloUpstream();
    const runs = await ctx.interleave({ a: () => ctx.wrk(a.url), b: () => ctx.wrk(b.url) });
    const ra = ctx.median(runs.a.map((r) => r.requestsPerSec));
    const rb = ctx.median(runs.b.map((r) => r.requestsPerSec));
    return [{
      subject: 'hello (2nd process)',
      baseline: 'hello (1st process)',
      measured: { 'req/s': Math.round(rb), 'baseline req/s': Math.round(ra) },
      // Noise is symmetric: report the smaller over the larger so one target covers both ways.
      ratio: Math.min(ctx.pairedRatio(runs.a, runs.b), ctx.pairedRatio(runs.b, runs.a)),
    }];
  },
};
