// Attacks on the build, as a tenant would try them (issue 13): a tsconfig.json reaching for host
// files, links out of the upload, sources that reference host files, dependencies from git or
// anywhere but the registry. Each is refused or contained, and no line of a host file — /etc/passwd,
// the state dir's secrets.env, a planted secret — appears in anything the tenant gets back (the
// deploy error, the build log). Then the container itself: what runs in it sees no host file,
// no secret and none of the host's ports.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import * as tar from 'tar';
import { buildSlug, MANIFEST_PATH, type BuildResult } from '../../src/builder/build.js';
import { parseDiagnostics } from '../../src/builder/build-step.js';
import { BUILD_MOUNTS, buildContainerOptions, DockerBuildSandbox, ProcessBuildSandbox, type BuildSandbox } from '../../src/builder/sandbox.js';
import { ensureBuildNetwork } from '../../src/builder/build-network.js';
import { defaultBuildLimits } from '../../src/builder/limited-process.js';
import { connectDocker } from '../../src/engine/docker-engine.js';
import { rawTarGz, type RawEntry } from './tar-fixture.js';

const work = mkdtempSync(join(tmpdir(), 'pdk-build-attack-'));
const docker = connectDocker();
const containers = new DockerBuildSandbox({ docker, namePrefix: `pdk-t${randomBytes(3).toString('hex')}` });
const processes = new ProcessBuildSandbox();

// A host file of the test's own with a secret in it (the real ones below may not exist everywhere).
const hostDir = mkdtempSync(join(tmpdir(), 'pdk-host-secret-'));
const planted = join(hostDir, 'secret.ts');
const plantedSecret = `PLANTED-${randomBytes(8).toString('hex')}`;
writeFileSync(planted, `export const token: number = "${plantedSecret}";\nexport const password = "${plantedSecret}-2";\n`);
const secretsEnv = join(process.env.PADDOCK_STATE_DIR ?? join(process.env.HOME ?? '/root', '.local/state/paddock'), 'secrets.env');
const HOST_FILES = ['/etc/passwd', secretsEnv, planted];

after(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(hostDir, { recursive: true, force: true });
});

/** Lines of the host files worth looking for (long enough not to appear by chance). */
function hostLines(): string[] {
  const lines = [plantedSecret];
  for (const f of HOST_FILES) {
    if (!existsSync(f)) continue;
    for (const l of readFileSync(f, 'utf8').split('\n')) if (l.trim().length >= 12) lines.push(l.trim());
  }
  return lines;
}

interface Attempt {
  result?: BuildResult;
  error?: Error & { code?: string };
  log: string[];
}

let n = 0;
async function attempt(entries: RawEntry[], sandbox: BuildSandbox = containers): Promise<Attempt> {
  const workDir = join(work, `w-${n++}`);
  mkdirSync(workDir);
  const log: string[] = [];
  try {
    const result = await buildSlug({ tarball: Readable.from([rawTarGz(entries)]), workDir, slugPath: join(workDir, 'slug.tar.gz'), log: (l) => log.push(l), sandbox });
    return { result, log };
  } catch (err) {
    return { error: err as Error & { code?: string }, log };
  }
}

function assertNothingOfTheHost(a: Attempt): void {
  const told = [a.error?.message ?? '', ...a.log].join('\n');
  const lines = hostLines();
  assert.ok(lines.length > 1, 'there are host lines to look for');
  for (const line of lines) assert.ok(!told.includes(line), `a line of a host file reached the tenant: ${line}\n--- what the tenant got:\n${told}`);
}

const site = (body = 'export const settings = {};\n'): RawEntry => ({ path: 'site.ts', body });
const json = (path: string, value: unknown): RawEntry => ({ path, body: JSON.stringify(value) });

test('a tsconfig.json extending a host file (/etc/passwd, the state dir\'s secrets.env) is refused and quotes nothing of it', async () => {
  for (const target of ['/etc/passwd', secretsEnv, planted, '../../../../../../etc/passwd']) {
    const a = await attempt([site(), json('tsconfig.json', { extends: target })]);
    assert.equal(a.error?.code, 'PDK_TSCONFIG_OPTION', `extends ${target}: ${a.error?.message}`);
    assert.match(a.error!.message, /"extends"/);
    assertNothingOfTheHost(a);
  }
});

test('tsconfig options that reach for files (paths to /etc, baseUrl, typeRoots, types as paths, plugins, references) are refused, naming the option', async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ compilerOptions: { paths: { '*': ['/etc/*'] } } }, /compilerOptions\.paths/],
    [{ compilerOptions: { baseUrl: '/etc' } }, /compilerOptions\.baseUrl/],
    [{ compilerOptions: { typeRoots: ['/etc'] } }, /compilerOptions\.typeRoots/],
    [{ compilerOptions: { types: ['../../../etc/passwd'] } }, /compilerOptions\.types/],
    [{ compilerOptions: { plugins: [{ name: '/tmp/evil.js' }] } }, /compilerOptions\.plugins/],
    [{ compilerOptions: { jsxImportSource: '/etc' } }, /compilerOptions\.jsxImportSource/],
    [{ compilerOptions: { rootDirs: ['/etc'] } }, /compilerOptions\.rootDirs/],
    [{ compilerOptions: { someFutureOption: '/etc/passwd' } }, /compilerOptions\.someFutureOption/],
    [{ references: [{ path: '/etc' }] }, /"references"/],
  ];
  for (const [config, option] of cases) {
    const a = await attempt([site(), json('tsconfig.json', config)]);
    assert.equal(a.error?.code, 'PDK_TSCONFIG_OPTION', JSON.stringify(config));
    assert.match(a.error!.message, option);
    assertNothingOfTheHost(a);
  }
});

test('a site\'s own safe tsconfig options are taken (decorators, JSX), platform-owned ones are ignored and said so', async () => {
  const a = await attempt([
    site('export const settings = {};\nfunction logged(_t: unknown, _c: unknown) {}\nexport class A { @logged m(): void {} }\n'),
    { path: 'tsconfig.json', body: '{\n  // comments are fine\n  "compilerOptions": { "experimentalDecorators": true, "outDir": "dist", "strict": true, },\n  "include": ["**/*.ts"]\n}\n' },
  ]);
  assert.ok(a.result, `${a.error?.message}\n${a.log.join('\n')}`);
  assert.ok(a.log.some((l) => /^tsconfig\.json: ignoring (?=.*compilerOptions\.outDir)(?=.*include)/.test(l)), a.log.join('\n'));
});

test('a tsconfig.json linked out of the upload is refused by the unpacker; a nested tsconfig.json extending /etc/passwd is never read', async () => {
  const linked = await attempt([site(), { path: 'tsconfig.json', type: '2', linkpath: '../../../../../../etc/passwd' }]);
  assert.equal(linked.error?.code, 'PDK_TARBALL_REJECTED');
  assertNothingOfTheHost(linked);

  const nested = await attempt([
    site("export { hi } from './blog/views.js';\nexport const settings = {};\n"),
    { path: 'blog/', type: '5' }, json('blog/tsconfig.json', { extends: '/etc/passwd' }),
    { path: 'blog/views.ts', body: 'export const hi = (n: string): string => `hi ${n}`;\n' },
  ]);
  assert.ok(nested.result, `${nested.error?.message}\n${nested.log.join('\n')}`);
  assertNothingOfTheHost(nested);
});

test('TypeScript that references host files gets file-not-found in the container, never their contents', async () => {
  const a = await attempt([
    site(`/// <reference path="${planted}" />\n/// <reference path="/etc/passwd" />\nimport { token } from '${planted.replace(/\.ts$/, '.js')}';\nexport const settings = { token };\n`),
  ]);
  assert.equal(a.error?.code, 'PDK_TYPE_ERRORS', `${a.error?.message}\n${a.log.join('\n')}`);
  assert.ok(a.log.some((l) => /^site\.ts:\d+:\d+ - error TS/.test(l)), a.log.join('\n'));
  assertNothingOfTheHost(a);
});

test('under the process driver (no container) the same references quote nothing of the host files either', async () => {
  const a = await attempt([
    site(`/// <reference path="${planted}" />\nimport { token } from '${planted.replace(/\.ts$/, '.js')}';\nexport const settings = { token };\n`),
  ], processes);
  // The file is readable on the host (no boundary there): its type error is counted, never shown.
  assert.ok(a.result, `${a.error?.message}\n${a.log.join('\n')}`);
  assert.ok(a.log.includes('1 type error in files outside the upload (installed packages): not shown, and not counted against the site'), a.log.join('\n'));
  assertNothingOfTheHost(a);
  const refused = await attempt([site(), json('tsconfig.json', { extends: planted })], processes);
  assert.equal(refused.error?.code, 'PDK_TSCONFIG_OPTION');
  assertNothingOfTheHost(refused);
});

test('type errors fail the build with file:line:column; "typecheck": "warn" in package.json reports them and builds', async () => {
  const broken: RawEntry[] = [
    site("export { broken } from './blog/views.js';\nexport const settings = {};\n"),
    { path: 'blog/', type: '5' },
    { path: 'blog/views.ts', body: 'export const ok = 1;\n\nexport const broken: number = "x";\n' },
  ];
  for (const sandbox of [containers, processes]) {
    const failed = await attempt(broken, sandbox);
    assert.equal(failed.error?.code, 'PDK_TYPE_ERRORS', `${sandbox.kind}: ${failed.error?.message}`);
    assert.match(failed.error!.message, /blog\/views\.ts:3:14 - error TS2322: Type 'string' is not assignable to type 'number'/);
    assert.ok(failed.log.includes("blog/views.ts:3:14 - error TS2322: Type 'string' is not assignable to type 'number'."), failed.log.join('\n'));
  }
  const warned = await attempt([...broken, json('package.json', { type: 'module', paddock: { typecheck: 'warn' } })]);
  assert.ok(warned.result, warned.error?.message);
  assert.equal(warned.result.manifest.typeErrors, 1);
  assert.ok(warned.log.some((l) => /1 type error reported as warnings/.test(l)), warned.log.join('\n'));
  const bad = await attempt([site(), json('package.json', { paddock: { typecheck: 'off' } })]);
  assert.equal(bad.error?.code, 'PDK_SITE_INVALID');
  assert.match(bad.error!.message, /"error" \(the default.*or "warn"/);
});

test('the type check sees the runtime\'s types: a wrong call into @paddock/runtime fails, a right one passes', async () => {
  const wrong = await attempt([site("import { path } from '@paddock/runtime';\nexport const urls = [path(42)];\nexport const settings = {};\n")]);
  assert.equal(wrong.error?.code, 'PDK_TYPE_ERRORS', `${wrong.error?.message}\n${wrong.log.join('\n')}`);
  assert.match(wrong.error!.message, /site\.ts:2:/);
  const right = await attempt([site("import { defineSite, path, Response } from '@paddock/runtime';\nexport default defineSite({ urls: [path('', () => new Response('hi'))], settings: { DEBUG: false } });\n")]);
  assert.ok(right.result, `${right.error?.message}\n${right.log.join('\n')}`);
});

test('dependencies from git, GitHub shorthands, URLs, files, links and workspaces are refused, naming the dependency', async () => {
  const specs = [
    'git+https://example.com/evil.git', 'git://example.com/evil.git', 'git+ssh://git@github.com/someone/evil.git', 'github:someone/evil',
    'gitlab:someone/evil', 'bitbucket:someone/evil', 'gist:abc123', 'someone/evil', 'someone/evil#main', 'https://example.com/evil.tgz',
    'file:../../etc', 'link:../evil', 'workspace:*', './evil', '/etc', 'npm:someone/evil', 'npm:evil@github:someone/evil',
  ];
  for (const spec of specs) {
    const a = await attempt([site(), json('package.json', { dependencies: { evil: spec } })]);
    assert.equal(a.error?.code, 'PDK_DEPENDENCY_SOURCE', `${spec}: ${a.error?.message}`);
    assert.match(a.error!.message, /"evil"/);
  }
  for (const pkg of [
    { devDependencies: { evil: 'github:someone/evil' } },
    { optionalDependencies: { evil: 'git+https://example.com/evil.git' } },
    { dependencies: { ok: '^1.0.0' }, overrides: { ok: { evil: 'someone/evil' } } },
  ]) {
    const a = await attempt([site(), json('package.json', pkg)]);
    assert.equal(a.error?.code, 'PDK_DEPENDENCY_SOURCE', JSON.stringify(pkg));
    assert.match(a.error!.message, /evil/);
  }
  const ws = await attempt([site(), json('package.json', { workspaces: ['packages/*'] })]);
  assert.equal(ws.error?.code, 'PDK_SITE_INVALID');
  assert.match(ws.error!.message, /workspaces/);
  for (const ok of ['^1.2.3', '1.2.3', '~1.2', '>=1 <3 || 4.x', 'latest', '*', 'npm:is-number@^7', '1.0.0 - 2.0.0']) {
    const a = await attempt([site(), json('package.json', { dependencies: { '@paddock/runtime': 'file:../runtime' }, devDependencies: { fine: ok } })]);
    assert.ok(a.result, `${ok}: ${a.error?.message}`);
  }
});

test('a lockfile locking a package from git, another host, a link or a workspace folder is refused, naming it', async () => {
  const pkg = json('package.json', { dependencies: { evil: '^1.0.0' } });
  const locks: Array<[string, unknown]> = [
    ['package-lock.json', { lockfileVersion: 3, packages: { '': { dependencies: { evil: '^1.0.0' } }, 'node_modules/evil': { version: '1.0.0', resolved: 'git+ssh://git@github.com/someone/evil.git#abc123' } } }],
    ['package-lock.json', { lockfileVersion: 3, packages: { 'node_modules/evil': { version: '1.0.0', resolved: 'https://evil.example/evil-1.0.0.tgz' } } }],
    ['package-lock.json', { lockfileVersion: 3, packages: { 'node_modules/evil': { resolved: '../evil', link: true } } }],
    ['package-lock.json', { lockfileVersion: 3, packages: { 'node_modules/dep/node_modules/evil': { version: 'github:someone/evil#abc' } } }],
    ['package-lock.json', { lockfileVersion: 3, packages: { 'packages/evil': { name: 'evil', version: '1.0.0' } } }],
    ['npm-shrinkwrap.json', { lockfileVersion: 1, dependencies: { evil: { version: 'git+https://example.com/evil.git#abc' } } }],
  ];
  for (const [file, lock] of locks) {
    const a = await attempt([site(), pkg, json(file, lock)]);
    assert.equal(a.error?.code, 'PDK_DEPENDENCY_SOURCE', `${JSON.stringify(lock)}: ${a.error?.message}`);
    assert.match(a.error!.message, new RegExp(`evil.*${file.replace('.', '\\.')}`));
  }
});

test('type errors in files outside the upload are counted and never quoted', () => {
  const site = '/build/site';
  const { diagnostics, outside } = parseDiagnostics([
    "blog/views.ts(3,14): error TS2322: Type 'string' is not assignable to type 'number'.",
    '/etc/passwd(1,5): error TS1005: root:x:0:0:root:/root:/bin/bash',
    '  root:x:0:0:root:/root:/bin/bash',
    '../node_modules/evil/index.ts(1,1): error TS2304: Cannot find name \'SECRET_LINE\'.',
    `${site}/site.ts(2,1): error TS2307: Cannot find module '${site}/blog/gone.js'.`,
    "error TS2688: Cannot find type definition file for 'nope'.",
  ], site);
  assert.equal(outside, 2);
  assert.deepEqual(diagnostics.map((d) => `${d.file ?? ''}:${d.line ?? ''} ${d.code} ${d.message}`), [
    "blog/views.ts:3 TS2322 Type 'string' is not assignable to type 'number'.",
    "site.ts:2 TS2307 Cannot find module 'blog/gone.js'.",
    ": TS2688 Cannot find type definition file for 'nope'.",
  ]);
});

test('the build container is hardened like a site\'s and gets nothing of the worker\'s environment', async () => {
  const created: Array<Record<string, unknown>> = [];
  const spy = Object.create(docker) as typeof docker;
  spy.createContainer = ((opts: Record<string, unknown>) => { created.push(opts); return docker.createContainer(opts); }) as typeof docker.createContainer;
  const before = process.env.PADDOCK_BUILD_SECRET_PROBE;
  process.env.PADDOCK_BUILD_SECRET_PROBE = 'do-not-leak';
  try {
    const a = await attempt([site()], new DockerBuildSandbox({ docker: spy, namePrefix: 'pdk-tspy' }));
    assert.ok(a.result, a.error?.message);
  } finally {
    if (before === undefined) delete process.env.PADDOCK_BUILD_SECRET_PROBE; else process.env.PADDOCK_BUILD_SECRET_PROBE = before;
  }
  assert.equal(created.length, 1);
  const c = created[0] as { User: string; Env: string[]; HostConfig: Record<string, unknown> };
  assert.equal(c.User, '10001:10001');
  assert.ok(!c.Env.some((e) => /PADDOCK_|do-not-leak/.test(e)), c.Env.join(' '));
  const h = c.HostConfig as { NetworkMode: string; ReadonlyRootfs: boolean; CapDrop: string[]; SecurityOpt: string[]; PidsLimit: number; Memory: number; NanoCpus: number; Binds: string[]; Privileged: boolean };
  assert.equal(h.NetworkMode, 'none', 'no network without dependencies to install');
  assert.equal(h.ReadonlyRootfs, true);
  assert.deepEqual(h.CapDrop, ['ALL']);
  assert.deepEqual(h.SecurityOpt, ['no-new-privileges:true']);
  assert.equal(h.Privileged, false);
  assert.ok(h.PidsLimit > 0 && h.Memory > 0 && h.NanoCpus > 0);
  assert.deepEqual(h.Binds.map((b) => b.split(':').slice(1).join(':')), [`${BUILD_MOUNTS.site}:ro`, `${BUILD_MOUNTS.plan}:ro`, `${BUILD_MOUNTS.out}:rw`]);
  const left = await docker.listContainers({ all: true, filters: { name: ['pdk-tspy-build-'] } });
  await Promise.all(left.map((l) => docker.getContainer(l.Id).wait({ condition: 'removed' }).catch(() => undefined)));
});

describe_boundary();

/**
 * Nothing a tenant uploads runs at build time (esbuild and tsc load no plugins, npm runs no
 * scripts: see the next test); were something to — a compiler bug, a future option — it would run
 * as the build step does. A probe run in a build container, set up exactly as builds are, shows
 * what that code could reach: no host file, no secret, none of the host's ports, on neither network.
 */
function describe_boundary(): void {
  let server: Server;
  let port = 0;
  before(async () => {
    server = createServer((s) => s.end('HOST-PORT-REACHED\n'));
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', () => r()));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const probe = (files: string[], addresses: string[], port: number) => `
    const fs = require('node:fs'); const net = require('node:net');
    const out = { files: {}, connects: {}, env: Object.keys(process.env), uid: process.getuid(), registry: null };
    for (const f of ${JSON.stringify(files)}) { try { out.files[f] = fs.readFileSync(f, 'utf8'); } catch (e) { out.files[f] = e.code; } }
    const tryConnect = (host) => new Promise((resolve) => {
      const s = net.connect({ host, port: ${port}, timeout: 1500 });
      s.on('data', (d) => { resolve('connected: ' + d); s.destroy(); });
      s.on('timeout', () => { resolve('timeout'); s.destroy(); });
      s.on('error', (e) => resolve(e.code));
    });
    (async () => {
      for (const a of ${JSON.stringify(addresses)}) out.connects[a] = await tryConnect(a);
      try { out.registry = (await fetch(${JSON.stringify(process.env.PADDOCK_NPM_REGISTRY ?? 'https://registry.npmjs.org/')} + 'is-number', { signal: AbortSignal.timeout(10000) })).status; } catch (e) { out.registry = String(e.cause?.code ?? e.message); }
      console.log(JSON.stringify(out));
    })();`;

  async function runProbe(network: string): Promise<{ files: Record<string, string>; connects: Record<string, string>; env: string[]; uid: number; registry: number | string | null }> {
    const image = await containers.builderImage();
    const hostAddresses = Object.values(networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4').map((i) => i!.address);
    const gateway = network === 'none' ? [] : [(await docker.getNetwork(network).inspect() as { IPAM: { Config: Array<{ Gateway?: string }> } }).IPAM.Config[0]?.Gateway ?? ''];
    const addresses = [...new Set([...hostAddresses, ...gateway, '172.17.0.1', '169.254.169.254'])].filter(Boolean);
    const site = mkdtempSync(join(work, 'probe-site-'));
    const out = mkdtempSync(join(work, 'probe-out-'));
    writeFileSync(join(work, 'probe-plan.json'), '{}');
    const c = await docker.createContainer({
      ...buildContainerOptions({
        image: image.ref, name: `pdk-tprobe-${randomBytes(3).toString('hex')}`, network, limits: defaultBuildLimits,
        command: ['-e', probe(HOST_FILES, addresses, port)],
        binds: [`${site}:${BUILD_MOUNTS.site}:ro`, `${join(work, 'probe-plan.json')}:${BUILD_MOUNTS.plan}:ro`, `${out}:${BUILD_MOUNTS.out}:rw`],
      }),
    });
    try {
      await c.start();
      await c.wait();
      const logs = (await c.logs({ stdout: true, stderr: true, follow: false })).toString('utf8');
      const line = logs.split('\n').map((l) => l.replace(/^[\s\S]{8}/, '')).find((l) => l.startsWith('{"files"'));
      assert.ok(line, `the probe printed no result: ${logs}`);
      return JSON.parse(line);
    } finally {
      await c.remove({ force: true });
    }
  }

  function assertContained(r: Awaited<ReturnType<typeof runProbe>>): void {
    assert.equal(r.uid, 10001, 'not root');
    for (const f of HOST_FILES) {
      const host = existsSync(f) ? readFileSync(f, 'utf8') : undefined;
      assert.ok(r.files[f] === 'ENOENT' || (host !== undefined && r.files[f] !== host), `the container read the host's ${f}: ${r.files[f]?.slice(0, 80)}`);
    }
    assert.ok(!r.env.some((k) => k.startsWith('PADDOCK_')), r.env.join(' '));
    for (const [address, outcome] of Object.entries(r.connects)) assert.doesNotMatch(outcome, /connected/, `the container reached the host's port on ${address}`);
  }

  test('a build container without dependencies to install has no network: no host file, no secret, no host port', async () => {
    const r = await runProbe('none');
    assertContained(r);
    assert.notEqual(r.registry, 200, 'no network at all');
  });

  test('the build network (for npm) reaches the registry but not the host\'s ports nor the metadata range', async () => {
    // The engine's one build network, as builds use it (kept: it is shared and its rules idempotent).
    const network = await ensureBuildNetwork(docker);
    const labels = (await docker.getNetwork(network).inspect() as { Labels: Record<string, string> }).Labels;
    assert.equal(labels['paddock.role'], 'build');
    assert.equal(labels['paddock.egress'], 'internet');
    const r = await runProbe(network);
    assertContained(r);
    assert.equal(r.registry, 200, 'the npm registry is reachable from the build network');
  });
}

test('npm lifecycle scripts never run: a site whose package.json would run code at install time installs without running it', async () => {
  const marker = `/build/out/PWNED-${randomBytes(4).toString('hex')}`;
  const script = `node -e "require('fs').writeFileSync('${marker}','x')"`;
  const a = await attempt([
    site(),
    json('package.json', {
      name: 'scripted', version: '1.0.0', type: 'module', dependencies: { 'is-number': '7.0.0' },
      scripts: { preinstall: script, install: script, postinstall: script, prepare: script, prepublish: script },
    }),
    { path: '.npmrc', body: 'registry=http://127.0.0.1:9/\nscript-shell=/bin/sh\nignore-scripts=false\n' },
  ]);
  assert.ok(a.result, `${a.error?.message}\n${a.log.join('\n')}`);
  assert.deepEqual(a.result.manifest.dependencies, { 'is-number': '7.0.0' });
  assert.ok(a.log.some((l) => /ignoring the upload's \.npmrc/.test(l)));
  const out = join(work, `slug-${n++}`);
  mkdirSync(out);
  await tar.x({ file: a.result.slugPath, cwd: out });
  assert.ok(existsSync(join(out, 'node_modules/is-number/package.json')), 'installed from the registry');
  assert.ok(!readdirSync(out).some((f) => f.startsWith('PWNED')), 'no script ran');
  assert.ok(existsSync(join(out, MANIFEST_PATH)));
});
