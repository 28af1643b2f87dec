// Test support for the deploy pipeline: pack a folder like `paddock push` does, push it through
// the API, wait for the deploy's result on its SSE stream, fetch a site through the edge.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import type { ApiServer } from '../../src/api/server.js';

export async function packSite(dir: string): Promise<Buffer> {
  const entries = readdirSync(dir).filter((n) => !['node_modules', '.paddock', '.git'].includes(n));
  const chunks: Buffer[] = [];
  for await (const c of tar.c({ gzip: true, cwd: dir, portable: true }, entries)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A site that compiles but does not type-check (views.ts:3:14, TS2322), written to a temporary
 * folder: the repository's own type check would fail on it as a fixture. Removed by the caller.
 */
export function typeErrorSite(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pdk-type-error-site-'));
  writeFileSync(join(dir, 'site.ts'), [
    "import { defineSite, path, Response } from '@paddock/runtime';",
    "import { broken } from './views.js';",
    '',
    'export default defineSite({',
    "  urls: [path('', () => new Response(`broken is ${broken}`), { name: 'hello' })],",
    "  settings: { ALLOWED_HOSTS: ['*'], DEBUG: false },",
    '});',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'views.ts'), 'export const fine = 1;\n\nexport const broken: number = "x";\n');
  return dir;
}

export interface DeployResult {
  id: string;
  status: string;
  version: number | null;
  error: string | null;
  log: string[];
}

export async function push(app: ApiServer, token: string, site: string, tarball: Buffer): Promise<DeployResult> {
  const res = await app.inject({
    method: 'POST', url: `/v1/sites/${site}/deploys`, payload: tarball,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/gzip' },
  });
  if (res.statusCode !== 202) throw new Error(`push answered ${res.statusCode}: ${res.body}`);
  return follow(app, token, site, res.json().id);
}

/** Reads the deploy's SSE stream to its `result` event. */
export async function follow(app: ApiServer, token: string, site: string, id: string): Promise<DeployResult> {
  const res = await app.inject({ method: 'GET', url: `/v1/sites/${site}/deploys/${id}/events`, headers: { authorization: `Bearer ${token}` } });
  const log: string[] = [];
  let result: DeployResult | undefined;
  for (const block of res.body.split('\n\n')) {
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (!event || !data) continue;
    const parsed = JSON.parse(data);
    if (event === 'log') log.push(parsed.line);
    if (event === 'result') result = { ...parsed, log };
  }
  if (!result) throw new Error(`no result event for deploy ${id}: ${res.body.slice(-500)}`);
  return result;
}

export function fetchVia(port: number, host: string, path = '/'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false, timeout: 30_000 }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no answer from the edge for ${host}${path}`)));
    req.end();
  });
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

export interface DeployedSiteFixture {
  platform: import('../../src/platform/platform.js').Platform;
  app: ApiServer;
  token: string;
  site: string;
  host: string;
  edgePort: number;
  edge: import('../../src/edge/edge-service.js').EdgeService;
  deps: import('../../src/platform/deploy-runtime.js').DeployRuntime;
  /** Pushes a folder; resolves with the result and the time from upload to live. */
  push(dir: string): Promise<DeployResult & { ms: number }>;
  close(): Promise<void>;
}

/**
 * A platform of its own, one ready site and an edge on a free port (tests and benchmarks).
 * `driver: 'process'` runs the same pipeline without Docker (a fraction of the time) for tests
 * that are about releases rather than isolation. `tls`: the edge serves HTTPS too (on `tls.port`).
 */
export async function deployedSiteFixture(
  name = 'bench',
  opts: { driver?: 'process'; tls?: import('../../src/edge/edge-tls.js').EdgeTlsOptions } = {},
): Promise<DeployedSiteFixture> {
  const { startTestPlatform } = await import('../support/platform.js');
  const { call, signup, siteName, waitForStatus } = await import('../support/api.js');
  const { EdgeService } = await import('../../src/edge/edge-service.js');
  const { deployRuntimeOf, openDeployRuntime, useDeployRuntime } = await import('../../src/platform/deploy-runtime.js');
  const { deploySettings } = await import('../../src/config.js');
  const { removeReleaseImages } = await import('../../src/images/release-image.js');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { startDeployWorker } = await import('../../src/jobs/deploy.js');
  const t = await startTestPlatform({ worker: true });
  const dir = mkdtempSync(join(tmpdir(), 'pdk-edge-'));
  if (opts.driver === 'process') {
    const settings = { ...deploySettings(t.platform.config), driver: 'process' as const, buildDir: join(dir, 'builds'), artifactsDir: join(dir, 'artifacts') };
    useDeployRuntime(t.platform, openDeployRuntime(t.platform, { settings }));
  }
  const deployWorker = startDeployWorker(t.platform);
  const owner = await signup(t.app, name);
  const site = siteName(name);
  const created = await call(t.app, owner.token, 'POST', '/v1/sites', { name: site });
  if (created.status !== 202) throw new Error(`site creation answered ${created.status}`);
  await waitForStatus(t.app, owner.token, site, 'ready', 60_000);
  const deps = deployRuntimeOf(t.platform);
  const edgePort = await freePort();
  const edge = new EdgeService(deps, { dir: join(dir, 'edge'), port: edgePort, bind: '127.0.0.1', adminPort: 0, ...(opts.tls ? { tls: opts.tls } : {}) });
  await edge.start();
  return {
    platform: t.platform, app: t.app, token: owner.token, site, host: `${site}.localhost`, edgePort, edge, deps,
    async push(folder) {
      const tarball = await packSite(folder);
      const t0 = performance.now();
      const r = await push(t.app, owner.token, site, tarball);
      return { ...r, ms: performance.now() - t0 };
    },
    async close() {
      await edge.stop();
      await deployWorker.close();
      await deps.driver.removeSite(site);
      if (deps.docker) await removeReleaseImages(deps.docker, site);
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `fn` with the API's deploys held (recorded, not queued), so a test can run them with
 * `runDeploy` in the order it wants; the fixture's runtime is back afterwards.
 */
export async function holdingDeploys(f: DeployedSiteFixture, fn: (held: string[]) => Promise<void>): Promise<void> {
  const { useDeployRuntime } = await import('../../src/platform/deploy-runtime.js');
  const held: string[] = [];
  useDeployRuntime(f.platform, { ...f.deps, enqueue: async (id) => { held.push(id); } });
  try {
    await fn(held);
  } finally {
    useDeployRuntime(f.platform, f.deps);
  }
}
