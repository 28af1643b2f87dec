// Not a test (no .test. in the name): measures `paddock push` of the blog starter, end to end,
// against an in-process platform and edge. Run: node --import tsx --conditions=paddock-source cli/test/push-timing.mts [runs]
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { EdgeService } from '@paddock/control-plane/edge/edge-service';
import { deployRuntimeOf } from '@paddock/control-plane/platform/deploy-runtime';
import { removeReleaseImages } from '@paddock/control-plane/images/release-image';
import type { DockerDriver } from '@paddock/control-plane/drivers/docker';
import { cliHome } from './support/cli.js';
import { startPlatform, suffix } from './support/platform.js';

const runs = Number(process.argv[2] ?? 5);
const p = await startPlatform();
const s = createServer();
await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
const edgePort = (s.address() as { port: number }).port;
await new Promise<void>((r) => s.close(() => r()));
const work = mkdtempSync(join(tmpdir(), 'paddock-push-timing-'));
const edge = new EdgeService(deployRuntimeOf(p.platform), { dir: join(work, 'edge'), port: edgePort, bind: '127.0.0.1', adminPort: 0 });
await edge.start();
const fromDist = process.env.PADDOCK_CLI_FROM_SOURCE !== '1';
const home = cliHome({ PADDOCK_API: p.api, PADDOCK_CLI_FROM_SOURCE: fromDist ? '0' : '1' });
const site = `timing-${suffix()}`;
const project = join(work, 'blog');
try {
  await home.run(['signup', '--email', `t-${suffix()}@example.com`, '--password', `pw ${suffix()} pw`]);
  await home.run(['init', project, '--starter', 'blog']);
  await home.run(['sites:create', site], { cwd: project });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    appendFileSync(join(project, 'templates', 'base.html'), `\n<!-- change ${i} -->\n`);
    const t0 = performance.now();
    const r = await home.run(['push', '--json'], { cwd: project, timeoutMs: 120_000 });
    const ms = performance.now() - t0;
    if (r.code !== 0) throw new Error(`push ${i} failed: ${r.stderr}`);
    times.push(ms);
    process.stdout.write(`push ${i + 1}: ${(ms / 1000).toFixed(2)} s (${JSON.parse(r.stdout).seconds.toFixed(2)} s inside the CLI)\n`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const p50 = sorted[Math.floor((sorted.length - 1) / 2)]!;
  process.stdout.write(`paddock push (blog starter, CLI from ${fromDist ? 'dist' : 'source'}): p50 ${(p50 / 1000).toFixed(2)} s, min ${(sorted[0]! / 1000).toFixed(2)} s, max ${(sorted.at(-1)! / 1000).toFixed(2)} s over ${runs}\n`);
} finally {
  const deps = deployRuntimeOf(p.platform);
  await edge.stop();
  await deps.driver.removeSite(site).catch(() => undefined);
  await removeReleaseImages((deps.driver as DockerDriver).docker, site).catch(() => undefined);
  home.cleanup();
  await p.close();
  rmSync(work, { recursive: true, force: true });
}
