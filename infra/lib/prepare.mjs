// What `npm start`, `npm test` and the bench do first: install npm packages when the lockfile
// changed, bring up the dev stack, and build the workspaces whose sources changed.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { root } from './env.mjs';
import { ok, step, StackError } from './log.mjs';
import { up } from '../stack.mjs';

const SKIP = new Set(['node_modules', 'dist', '.next', 'test', 'test-output', '.turbo']);

function hashFiles(files) {
  const h = createHash('sha256');
  for (const f of files.sort()) {
    h.update(relative(root, f));
    h.update(readFileSync(f));
  }
  return h.digest('hex');
}

function listFiles(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) listFiles(p, out);
    else out.push(p);
  }
  return out;
}

function npm(args, what) {
  const r = spawnSync('npm', args, { cwd: root, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) throw new StackError(`${what} failed (npm ${args.join(' ')}).`, 'Read the output above; fix it and run the command again.');
}

/** npm install, only when package.json files or the lockfile differ from the last install. */
export function ensurePackages() {
  const manifests = ['package.json', 'package-lock.json', 'runtime/package.json', 'control-plane/package.json', 'cli/package.json', 'dashboard/package.json', 'docs/package.json']
    .map((f) => join(root, f)).filter(existsSync);
  const want = hashFiles(manifests);
  const stamp = join(root, 'node_modules', '.paddock-install');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return false;
  step('Installing npm packages…');
  npm(['install', '--no-audit', '--no-fund', '--loglevel=error'], 'Installing npm packages');
  writeFileSync(stamp, hashFiles(manifests));
  ok('npm packages installed');
  return true;
}

const BUILDS = [
  { ws: 'runtime', out: 'runtime/dist' },
  { ws: 'control-plane', out: 'control-plane/dist' },
  { ws: 'cli', out: 'cli/dist' },
  { ws: 'dashboard', out: 'dashboard/.next' },
  // The docs' generated reference: from the runtime's exports, the CLIs' help and the API's OpenAPI document, so it is
  // made again when any of those change (inputs), not only docs/ itself. The tests check it; `npm run docs` builds it too.
  { ws: 'docs', out: 'docs/reference', purposes: ['test'], inputs: ['docs/tools', 'docs/package.json', 'runtime/src', 'runtime/package.json', 'runtime/starters', 'cli/src', 'control-plane/src'] },
];

/** Builds each workspace whose sources changed since its last build (in dependency order). */
export function build({ purpose } = {}) {
  let upstreamChanged = false;
  for (const { ws, out, inputs, purposes } of BUILDS) {
    if (purposes && !purposes.includes(purpose)) continue;
    const pkg = JSON.parse(readFileSync(join(root, ws, 'package.json'), 'utf8'));
    if (!pkg.scripts?.build) continue;
    const sources = () => (inputs ? inputs.flatMap((p) => (statSync(join(root, p)).isDirectory() ? listFiles(join(root, p)) : [join(root, p)])) : listFiles(join(root, ws)));
    const hash = hashFiles(sources());
    const stamp = join(root, out, '.paddock-build');
    if (!upstreamChanged && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) continue;
    step(`Building ${ws}…`);
    const t0 = Date.now();
    npm(['run', 'build', '-w', ws, '--silent'], `Building ${ws}`);
    mkdirSync(join(root, out), { recursive: true });
    // Stamp the inputs as the build left them: a build may write files of its own into the tree
    // (next build's next-env.d.ts), which would otherwise cost one needless rebuild next time.
    writeFileSync(stamp, hashFiles(sources()));
    ok(`${ws} built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (ws === 'runtime') upstreamChanged = true;
  }
}

export async function prepare({ purpose }) {
  ensurePackages();
  const stack = await up({ purpose });
  build({ purpose });
  return stack;
}
