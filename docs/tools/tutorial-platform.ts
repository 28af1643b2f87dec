// The platform the tutorial deploys to when it runs as a test (or with --update): a platform of its own (fresh
// platform database, its own queue prefix, on the dev stack's Postgres and Redis), its API listening for the real CLI,
// the workers running in this process, the process driver (the release pipeline without Docker's cost: the tutorial
// is about using Paddock, the isolation tests are elsewhere), and an edge on a free port.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TutorialPlatform } from './tutorial.js';

export interface RunningTutorialPlatform extends TutorialPlatform {
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startTutorialPlatform(siteName: string): Promise<RunningTutorialPlatform> {
  const { startTestPlatform } = await import('../../control-plane/test/support/platform.js');
  const { deploySettings } = await import('@paddock/control-plane/config');
  const { openDeployRuntime, useDeployRuntime } = await import('@paddock/control-plane/platform/deploy-runtime');
  const { startDeployWorker } = await import('@paddock/control-plane/jobs/deploy');
  const { EdgeService } = await import('@paddock/control-plane/edge/edge-service');
  const dir = mkdtempSync(join(tmpdir(), 'paddock-tutorial-platform-'));
  const t = await startTestPlatform({ worker: true });
  const settings = { ...deploySettings(t.platform.config), driver: 'process' as const, buildDir: join(dir, 'builds'), artifactsDir: join(dir, 'artifacts') };
  const deps = openDeployRuntime(t.platform, { settings });
  useDeployRuntime(t.platform, deps);
  const deployWorker = startDeployWorker(t.platform);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  const apiPort = typeof address === 'object' && address ? address.port : 0;
  const edgePort = await freePort();
  const edge = new EdgeService(deps, { dir: join(dir, 'edge'), port: edgePort, bind: '127.0.0.1', adminPort: 0 });
  await edge.start();
  return {
    api: `http://127.0.0.1:${apiPort}`,
    edgePort,
    siteName,
    async close() {
      await edge.stop();
      await deployWorker.close();
      await deps.driver.removeSite(siteName).catch(() => undefined);
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
