// Waking a sleeping site: time to first byte through the edge for a site whose replica was
// paused (CPU freed) and for one whose replica was stopped (memory freed), each several times.
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../harness/index.mjs';
import { deployedSiteFixture } from '../../../control-plane/test/deploy/support.js';
import { sleepIdleSites } from '../../../control-plane/src/jobs/sleep.js';

const hello = fileURLToPath(new URL('../../../control-plane/test/deploy/fixtures/hello', import.meta.url));

function firstByte(port: number, host: string): Promise<{ ms: number; status: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false, timeout: 30_000 }, (res) => {
      const ms = performance.now() - t0;
      res.resume();
      res.on('end', () => resolve({ ms, status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('no answer')));
    req.end();
  });
}

export default {
  name: 'wake-sleeping-site',
  description: 'first byte through the edge from a paused and from a stopped site',
  async run(ctx) {
    const f = await deployedSiteFixture('wakebench');
    ctx.defer(() => f.close());
    const r = await f.push(hello);
    if (r.status !== 'succeeded') throw new Error(`push failed: ${r.error}`);
    const quick = { ...f.deps, settings: { ...f.deps.settings, sleep: { ...f.deps.settings.sleep, free: { pauseAfterS: 1, stopAfterS: 2 } } } };
    const samples = Math.max(5, ctx.rounds * 2 + 1);
    const paused: number[] = [];
    const stopped: number[] = [];
    const awake: number[] = [];
    for (let i = 0; i < samples; i++) {
      await f.edge.sync();
      awake.push((await firstByte(f.edgePort, f.host)).ms);
      const p = await sleepIdleSites(quick, new Date(Date.now() + 1500));
      if (!p.paused.includes(f.site)) throw new Error('the site did not pause');
      const a = await firstByte(f.edgePort, f.host);
      if (a.status !== 200) throw new Error(`wake from paused answered ${a.status}`);
      paused.push(a.ms);
    }
    for (let i = 0; i < Math.max(3, ctx.rounds); i++) {
      await f.edge.sync();
      await sleepIdleSites(quick, new Date(Date.now() + 1500));
      const s = await sleepIdleSites(quick, new Date(Date.now() + 5000));
      if (!s.stopped.includes(f.site)) throw new Error('the site did not stop');
      const b = await firstByte(f.edgePort, f.host);
      if (b.status !== 200) throw new Error(`wake from stopped answered ${b.status}`);
      stopped.push(b.ms);
    }
    ctx.log(`paused: ${paused.map((x) => x.toFixed(0)).join(', ')} ms; stopped: ${stopped.map((x) => x.toFixed(0)).join(', ')} ms`);
    const p50p = ctx.median(paused);
    const p50s = ctx.median(stopped);
    return [
      { subject: 'wake from paused → first byte (p50)', baseline: '30 ms budget', measured: { 'p50 ms': Number(p50p.toFixed(1)), 'awake p50 ms': Number(ctx.median(awake).toFixed(1)), samples: paused.length }, ratio: p50p / 30, target: { ratio: 1, compare: '<=' } },
      { subject: 'wake from stopped → first byte (p50)', baseline: '400 ms budget', measured: { 'p50 ms': Math.round(p50s), samples: stopped.length }, ratio: p50s / 400, target: { ratio: 1, compare: '<=' } },
    ];
  },
} satisfies Scenario;
