// The control plane's layers, as the linter enforces them (eslint.config.js, "layers"; README, "Layers"): top to
// bottom, the entry points (main, index, api-types); api/, jobs/ and edge/ side by side; the feature modules; platform/;
// the components (drivers, provisioners, builder, images, ...); store/; the base modules (config, errors, logger, ...).
// Each rule is shown failing on a violating file, in memory. Beside the linter: no import circle among the control
// plane's modules, and no query in an API plugin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';

const root = fileURLToPath(new URL('../../', import.meta.url));
const src = join(root, 'control-plane/src');
const eslint = new ESLint({ cwd: root });

/** The layer errors ESLint reports for `code` as if it were the file at `path` (relative to the repository). */
async function layerErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

async function assertRefused(violations: Array<[string, string]>, message: RegExp): Promise<void> {
  for (const [file, code] of violations) {
    const errors = await layerErrors(file, code);
    assert.equal(errors.length, 1, `${file}: ${code}`);
    assert.match(errors[0] ?? '', message, `${file}: ${code}`);
  }
}

test('a feature module imports no API plugin, job or edge code: imports, type imports, package subpaths and import() fail lint', async () => {
  await assertRefused([
    ['control-plane/src/sites/sites.ts', "import { sitesPlugin } from '../api/sites.js';\nvoid sitesPlugin;\n"],
    ['control-plane/src/domains/domains.ts', "import type { ApiServer } from '../api/server.js';\nexport type A = ApiServer;\n"],
    ['control-plane/src/releases/deploys.ts', "import { startDeployWorker } from '../jobs/deploy.js';\nvoid startDeployWorker;\n"],
    ['control-plane/src/env/env-vars.ts', "export { EdgeService } from '../edge/edge-service.js';\n"],
    ['control-plane/src/orgs/invitations.ts', "import { buildServer } from '@paddock/control-plane/api/server';\nvoid buildServer;\n"],
    ['control-plane/src/runs/one-off.ts', "export const load = () => import('../jobs/sleep.js');\n"],
  ], /feature module never imports an API plugin, a job or the edge process/);
  // Features build on each other, on platform/, the components and the store.
  assert.deepEqual(await layerErrors('control-plane/src/domains/domains.ts',
    "import { refuseWhileSuspended } from '../sites/sites.js';\nimport type { DeployRuntime } from '../platform/deploy-runtime.js';\n"
    + "import { openResource } from '../provisioners/index.js';\nimport type { Db } from '../store/db.js';\nimport { errors } from '../errors.js';\n"
    + 'void refuseWhileSuspended; void openResource; void errors;\nexport type T = [DeployRuntime, Db];\n'), []);
});

test('api/, jobs/ and edge/ sit side by side: none imports another', async () => {
  await assertRefused([
    ['control-plane/src/api/sites.ts', "import { teardownSite } from '../jobs/teardown.js';\nvoid teardownSite;\n"],
    ['control-plane/src/api/metrics.ts', "import type { EdgeService } from '../edge/edge-service.js';\nexport type E = EdgeService;\n"],
    ['control-plane/src/jobs/sleep.ts', "import { siteOut } from '../api/sites.js';\nvoid siteOut;\n"],
    ['control-plane/src/edge/edge-service.ts', "import { startSleepWorker } from '../jobs/sleep.js';\nvoid startSleepWorker;\n"],
  ], /side by side: none imports another/);
  // They call the features and everything below.
  assert.deepEqual(await layerErrors('control-plane/src/api/sites.ts',
    "import { createSite } from '../sites/sites.js';\nimport { deployRuntimeOf } from '../platform/deploy-runtime.js';\nvoid createSite; void deployRuntimeOf;\n"), []);
});

test('platform/ handles, components and the store import no feature module', async () => {
  await assertRefused([
    ['control-plane/src/platform/deploy-runtime.ts', "import { runDeploy } from '../releases/deploys.js';\nvoid runDeploy;\n"],
    ['control-plane/src/drivers/wake.ts', "import { release } from '../releases/releaser.js';\nvoid release;\n"],
    ['control-plane/src/drivers/docker.ts', "import type { Site } from '../sites/site-view.js';\nexport type S = Site;\n"],
    ['control-plane/src/provisioners/postgres.ts', "import { quotasOf } from '../orgs/plans.js';\nvoid quotasOf;\n"],
    ['control-plane/src/images/release-image.ts', "import { siteEnvironment } from '@paddock/control-plane/releases/deploys';\nvoid siteEnvironment;\n"],
    ['control-plane/src/store/schema.ts', "import type { Role } from '../orgs/roles.js';\nexport type R = Role;\n"],
  ], /Feature modules sit above this layer/);
});

test('components and the store take their handles as arguments: they import no platform/ module', async () => {
  await assertRefused([
    ['control-plane/src/drivers/docker.ts', "import type { Platform } from '../platform/platform.js';\nexport type P = Platform;\n"],
    ['control-plane/src/builder/build.ts', "import type { DeployRuntime } from '../platform/deploy-runtime.js';\nexport type D = DeployRuntime;\n"],
    ['control-plane/src/store/db.ts', "import { queueNames } from '../platform/queues.js';\nvoid queueNames;\n"],
  ], /never a Platform or the deploy runtime/);
  // A component may use another one and the base modules.
  assert.deepEqual(await layerErrors('control-plane/src/drivers/docker.ts',
    "import { connectDocker } from '../engine/docker-engine.js';\nimport { loadConfig } from '../config.js';\nvoid connectDocker; void loadConfig;\n"), []);
});

test('the store imports no component, and nothing above it', async () => {
  await assertRefused([
    ['control-plane/src/store/schema.ts', "import type { ReplicaState } from '../drivers/driver.js';\nexport type R = ReplicaState;\n"],
    ['control-plane/src/store/migrate.ts', "import { openResource } from '../provisioners/index.js';\nvoid openResource;\n"],
  ], /store imports nothing above it/);
  await assertRefused([
    ['control-plane/src/store/schema.ts', "import type { Upstream } from '../edge/route-table.js';\nexport type U = Upstream;\n"],
  ], /feature module never imports an API plugin/);
});

test('the base modules import nothing else of the control plane', async () => {
  await assertRefused([
    ['control-plane/src/errors.ts', "import type { Db } from './store/db.js';\nexport type D = Db;\n"],
    ['control-plane/src/config.ts', "import { tenantEgress } from './drivers/egress.js';\nvoid tenantEgress;\n"],
    ['control-plane/src/line-splitter.ts', "import { logger } from './logger.js';\nvoid logger;\n"],
  ], /base modules .* import nothing else of it/);
});

test('nothing in the control plane imports its entry points', async () => {
  await assertRefused([
    ['control-plane/src/api/server.ts', "import { openPlatform } from '../index.js';\nvoid openPlatform;\n"],
    ['control-plane/src/sites/sites.ts', "import type { Site } from '../api-types.js';\nexport type S = Site;\n"],
    ['control-plane/src/jobs/workers.ts', "import { main } from '@paddock/control-plane/main';\nvoid main;\n"],
  ], /Nothing in the control plane imports its entry points/);
});

/** The control plane's own modules a file imports (relative specifiers, `./x.js` read as `./x.ts`), type imports included. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles.map((i) => i.fileName).filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts'));
}

/** The circles of a directed graph (one per strongly connected component of two or more nodes, or a self-loop). */
function circles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next++); stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); component.push(w); } while (w !== v);
      if (component.length > 1 || graph.get(v)?.includes(v)) found.push(component.reverse());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

test('the circle finder finds circles (and only circles)', () => {
  const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a', 'd']], ['e', ['a']]]);
  assert.deepEqual(circles(g).map((c) => [...c].sort()), [['a', 'b', 'c'], ['d']]);
  assert.deepEqual(circles(new Map([['a', ['b']], ['b', []]])), []);
});

test('no import circle among the control plane\'s modules, by file or by folder', () => {
  const files = sourceFiles(src);
  assert.ok(files.length > 100, `control-plane/src has ${files.length} modules`);
  const known = new Set(files);
  const byFile = new Map(files.map((f) => [f, importsOf(f).filter((i) => known.has(i))]));
  assert.ok([...byFile.values()].some((deps) => deps.length > 0), 'imports were read');
  assert.deepEqual(circles(byFile).map((c) => c.map((f) => relative(src, f))), []);
  // Folders (and root modules) as one node each: a feature and the one it builds on never import each other.
  const folder = (f: string) => relative(src, f).split('/')[0]!;
  const byFolder = new Map<string, string[]>();
  for (const [f, deps] of byFile) {
    const others = deps.map(folder).filter((d) => d !== folder(f));
    byFolder.set(folder(f), [...new Set([...(byFolder.get(folder(f)) ?? []), ...others])]);
  }
  assert.deepEqual(circles(byFolder), []);
});

test('no API plugin runs a query: they call the feature modules that own them', () => {
  const queries = /\b(?:selectFrom|insertInto|updateTable|deleteFrom|selectNoFrom)\s*\(/;
  const offenders = sourceFiles(join(src, 'api')).filter((f) => queries.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders.map((f) => relative(root, f)), []);
});
