// Waking a sleeping site: time to first byte through the edge for a site whose replica was
// paused (CPU freed) and for one whose replica was stopped (memory freed), each several times.
// The stopped wakes are broken down from the engine's and the site's own timestamps: when the
// container's process was running, when the runtime logged `listening`, when the byte came.
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../harness/index.mjs';
import { deployedSiteFixture } from '../../../control-plane/test/deploy/support.js';
import type { DockerDriver } from '../../../control-plane/src/drivers/docker.js';
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

interface Breakdown {
  /** Request sent → the container's process runs (edge, activator, engine start). */
  engine: number;
  /** Process runs → the runtime logged `listening` (Node's and the runtime's boot, loading the site). */
  boot: number;
  /** Listening → first byte at the client (the activator's port wait, forwarding, the first request). */
  answer: number;
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
    // The edge records activity every few seconds; a sweep racing it leaves the site awake, so try again.
    const sweepUntil = async (what: 'paused' | 'stopped', at: () => Date) => {
      for (let i = 0; i < 3; i++) if ((await sleepIdleSites(quick, at()))[what].includes(f.site)) return;
      throw new Error(`the site did not get ${what}`);
    };
    const samples = Math.max(5, ctx.rounds * 2 + 1);
    const paused: number[] = [];
    const stopped: number[] = [];
    const awake: number[] = [];
    const parts: Breakdown[] = [];
    for (let i = 0; i < samples; i++) {
      await f.edge.sync();
      awake.push((await firstByte(f.edgePort, f.host)).ms);
      await sweepUntil('paused', () => new Date(Date.now() + 1500));
      const a = await firstByte(f.edgePort, f.host);
      if (a.status !== 200) throw new Error(`wake from paused answered ${a.status}`);
      paused.push(a.ms);
    }
    const docker = (f.deps.driver as DockerDriver).docker;
    for (let i = 0; i < Math.max(5, ctx.rounds * 2 - 1); i++) {
      await f.edge.sync();
      await sweepUntil('paused', () => new Date(Date.now() + 1500));
      await sweepUntil('stopped', () => new Date(Date.now() + 5000));
      const [replica] = await f.deps.driver.list(f.site);
      if (replica?.status !== 'exited') throw new Error(`the stopped replica is ${replica?.status}`);
      const sent = Date.now();
      const b = await firstByte(f.edgePort, f.host);
      if (b.status !== 200) throw new Error(`wake from stopped answered ${b.status}`);
      stopped.push(b.ms);
      if (docker) {
        const info = await docker.getContainer(replica.id).inspect();
        const logs = (await docker.getContainer(replica.id).logs({ stdout: true, stderr: true, timestamps: true, since: Math.floor(sent / 1000) - 1 })).toString('latin1');
        const stamp = [...logs.matchAll(/(\d{4}-\d\d-\d\dT[\d:.]+Z) .*"msg":"listening"/g)].pop()?.[1];
        const running = new Date(info.State.StartedAt).getTime();
        const listening = stamp ? new Date(stamp).getTime() : NaN;
        parts.push({ engine: running - sent, boot: listening - running, answer: sent + b.ms - listening });
      }
    }
    ctx.log(`paused: ${paused.map((x) => x.toFixed(0)).join(', ')} ms; stopped: ${stopped.map((x) => x.toFixed(0)).join(', ')} ms`);
    for (const p of parts) ctx.log(`stopped wake: engine start ${p.engine} ms, boot ${p.boot} ms, listening → first byte ${p.answer.toFixed(0)} ms`);
    const p50p = ctx.median(paused);
    const p50s = ctx.median(stopped);
    const mid = (k: keyof Breakdown) => Math.round(ctx.median(parts.map((p) => p[k]).filter(Number.isFinite)));
    return [
      { subject: 'wake from paused → first byte (p50)', baseline: '30 ms budget', measured: { 'p50 ms': Number(p50p.toFixed(1)), 'awake p50 ms': Number(ctx.median(awake).toFixed(1)), samples: paused.length }, ratio: p50p / 30, target: { ratio: 1, compare: '<=' } },
      { subject: 'wake from stopped → first byte (p50)', baseline: '400 ms budget', measured: { 'p50 ms': Math.round(p50s), samples: stopped.length }, ratio: p50s / 400, target: { ratio: 1, compare: '<=' } },
      ...(parts.length ? [{
        subject: 'wake from stopped, where the time goes (p50 each)', baseline: '-',
        measured: { 'engine start ms': mid('engine'), 'runtime boot ms': mid('boot'), 'listening → first byte ms': mid('answer') },
        ratio: null, target: null,
      }] : []),
    ];
  },
} satisfies Scenario;
