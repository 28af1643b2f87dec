// The build itself, as it runs inside the build sandbox (a throwaway container of the builder image,
// or a limited child process under the process driver): copy the upload's files into the slug
// tree, install the npm dependencies, compile each TypeScript file with esbuild and type-check the
// site with tsc, all with the options the host put in the plan. It imports only Node's built-ins:
// it is bundled on its own into the builder image. It prints progress lines for the deploy log and,
// last, one result line (RESULT_MARKER + JSON) that the host reads as data.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';

export const RESULT_MARKER = '::paddock-build-result::';

export interface BuildStepPlan {
  /** The upload, unpacked (read-only in the container). */
  site: string;
  /** The slug tree: files are copied, compiled and installed here. */
  out: string;
  /** A writable scratch folder (its node_modules is where the type check finds the site's packages). */
  root: string;
  /** TypeScript files to compile and check, relative to `site`. */
  tsFiles: string[];
  compile: {
    /** argv of esbuild, before the build's own arguments. */
    esbuild: string[];
    target: string;
    /** The platform's compiler options for esbuild (the site's tsconfig.json is never read). */
    tsconfigRaw: string;
  };
  install?: {
    /** argv of npm, before its subcommand. */
    npm: string[];
    command: 'ci' | 'install';
    /** npm's configuration, as npm_config_* variables: the builder's, never the upload's .npmrc. */
    env: Record<string, string>;
    /** A package.json to install from instead of the upload's (the upload's, less @paddock/ packages). */
    packageJson?: string;
  };
  typecheck?: {
    /** argv of tsc, before its arguments. */
    tsc: string[];
    compilerOptions: Record<string, unknown>;
    /** Package links the check resolves besides the site's installed ones (the process driver's runtime). */
    links: Record<string, string>;
  };
}

export interface TypeDiagnostic {
  /** Relative to the site; absent for a diagnostic about no file. */
  file?: string;
  line?: number;
  column?: number;
  category: 'error' | 'warning';
  code: string;
  message: string;
}

export interface BuildStepResult {
  compile: { exitCode: number };
  install?: { exitCode: number };
  typecheck?: {
    exitCode: number;
    /** The first diagnostics in the site's files (and those about no file). */
    diagnostics: TypeDiagnostic[];
    /** Errors among all of those (more than `diagnostics` shows when there are many). */
    errors: number;
    /** Diagnostics in files outside the site (installed packages): counted, never quoted. */
    outside: number;
  };
}

const TS = /\.(ts|mts|tsx)$/;
const MAX_DIAGNOSTICS = 200;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Runs a tool; each output line goes to onLine. Resolves with its exit code. */
function run(argv: string[], cwd: string, env: Record<string, string>, onLine: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let rest = { out: '', err: '' };
    const feed = (key: 'out' | 'err') => (chunk: Buffer) => {
      const parts = (rest[key] + chunk.toString()).split('\n');
      rest = { ...rest, [key]: parts.pop() ?? '' };
      for (const p of parts) onLine(p.replace(/\r$/, ''));
    };
    child.stdout.on('data', feed('out'));
    child.stderr.on('data', feed('err'));
    child.on('error', (err) => { onLine(`${argv[0]}: ${err.message}`); resolve(127); });
    child.on('close', (code, signal) => {
      for (const r of [rest.out, rest.err]) if (r) onLine(r);
      resolve(code ?? (signal ? 137 : 1));
    });
  });
}

/**
 * The tools' environment: a PATH, HOME in the scratch folder, and the CA certificates to trust for
 * npm's requests (the image's, or the platform's under the process driver); nothing else.
 */
function baseEnv(plan: BuildStepPlan): Record<string, string> {
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: plan.root, NODE_ENV: 'production', ...(ca ? { NODE_EXTRA_CA_CERTS: ca } : {}) };
}

function copyUpload(plan: BuildStepPlan): void {
  // verbatimSymlinks: otherwise cpSync rewrites relative links as absolute paths into the build folder.
  cpSync(plan.site, plan.out, { recursive: true, verbatimSymlinks: true, filter: (src) => !TS.test(src) || !statSync(src).isFile() });
}

async function install(plan: BuildStepPlan, step: NonNullable<BuildStepPlan['install']>): Promise<number> {
  if (step.packageJson !== undefined) {
    rmSync(join(plan.out, 'package.json'), { force: true });
    writeFileSync(join(plan.out, 'package.json'), step.packageJson, { flag: 'wx' });
  }
  const args = [...step.npm, step.command, '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier'];
  return run(args, plan.out, { ...baseEnv(plan), ...step.env }, say);
}

function compile(plan: BuildStepPlan): Promise<number> {
  if (!plan.tsFiles.length) return Promise.resolve(0);
  const args = [
    ...plan.compile.esbuild, ...plan.tsFiles.map((f) => `./${f}`), `--outdir=${plan.out}`, '--outbase=.', '--format=esm',
    '--platform=node', `--target=${plan.compile.target}`, '--sourcemap=inline', '--log-level=warning', '--out-extension:.js=.js',
    `--tsconfig-raw=${plan.compile.tsconfigRaw}`,
  ];
  return run(args, plan.site, baseEnv(plan), say);
}

/** root/node_modules: the installed packages of the slug, and the plan's extra links. */
function linkPackages(plan: BuildStepPlan, links: Record<string, string>): void {
  const dir = join(plan.root, 'node_modules');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const installed = join(plan.out, 'node_modules');
  if (existsSync(installed)) {
    for (const name of readdirSync(installed)) symlinkSync(join(installed, name), join(dir, name));
  }
  for (const [name, target] of Object.entries(links)) {
    if (existsSync(join(dir, name))) continue;
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    symlinkSync(target, join(dir, name));
  }
}

const LOCATED = /^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+): (.*)$/;
const GLOBAL = /^(error|warning) (TS\d+): (.*)$/;

/** tsc's `--pretty false` output as diagnostics; those in files outside the site are only counted. */
export function parseDiagnostics(lines: string[], site: string): { diagnostics: TypeDiagnostic[]; outside: number } {
  const diagnostics: TypeDiagnostic[] = [];
  let outside = 0;
  let current: TypeDiagnostic | undefined;
  let skipping = false;
  const clean = (text: string) => text.split(`${site}/`).join('');
  for (const line of lines) {
    const located = LOCATED.exec(line);
    const global = located ? undefined : GLOBAL.exec(line);
    if (located) {
      const file = isAbsolute(located[1]!) ? relative(site, located[1]!) : relative(site, join(site, located[1]!));
      if (file.startsWith('..') || isAbsolute(file)) {
        outside++;
        skipping = true;
        current = undefined;
        continue;
      }
      skipping = false;
      current = {
        file, line: Number(located[2]), column: Number(located[3]), category: located[4] as 'error' | 'warning',
        code: located[5]!, message: clean(located[6]!),
      };
      diagnostics.push(current);
    } else if (global) {
      skipping = false;
      current = { category: global[1] as 'error' | 'warning', code: global[2]!, message: clean(global[3]!) };
      diagnostics.push(current);
    } else if (/^\s/.test(line) && line.trim()) {
      // A chained message's next lines ("  Property 'x' is missing...").
      if (current && !skipping) current.message += `\n${clean(line)}`;
    }
  }
  return { diagnostics, outside };
}

async function typecheck(plan: BuildStepPlan, step: NonNullable<BuildStepPlan['typecheck']>): Promise<NonNullable<BuildStepResult['typecheck']>> {
  if (!plan.tsFiles.length) return { exitCode: 0, diagnostics: [], errors: 0, outside: 0 };
  linkPackages(plan, step.links);
  const config = join(plan.root, 'tsconfig.platform.json');
  writeFileSync(config, JSON.stringify({
    compilerOptions: { ...step.compilerOptions, noEmit: true },
    files: plan.tsFiles.map((f) => join(plan.site, f)),
  }));
  const lines: string[] = [];
  // One thread: a build has one CPU, and tsc's parallel parse only contends for it (measured: about
  // half the time of the default in a one-CPU container on a busy host).
  const exitCode = await run([...step.tsc, '-p', config, '--pretty', 'false', '--singleThreaded'], plan.site, baseEnv(plan), (l) => lines.push(l));
  const { diagnostics, outside } = parseDiagnostics(lines, plan.site);
  if (exitCode !== 0 && !diagnostics.length && !outside) {
    // Not a type error: the compiler itself failed. Its last lines say why (paths cleaned).
    const why = lines.filter((l) => l.trim()).slice(-3).map((l) => l.split(`${plan.site}/`).join('')).join(' / ');
    diagnostics.push({ category: 'error', code: 'TSC', message: `the type checker failed (exit ${exitCode})${why ? `: ${why}` : ''}` });
  }
  const errors = diagnostics.filter((d) => d.category === 'error').length;
  return { exitCode, diagnostics: diagnostics.slice(0, MAX_DIAGNOSTICS), errors, outside };
}

export async function runBuildStep(plan: BuildStepPlan): Promise<BuildStepResult> {
  copyUpload(plan);
  const result: BuildStepResult = { compile: { exitCode: 0 } };
  if (plan.tsFiles.length) say(`compiling ${plan.tsFiles.length} TypeScript files${plan.typecheck ? ' and checking their types' : ''}`);
  // The compiler needs nothing installed: it runs beside npm and the type check.
  const compiled = compile(plan);
  const checked = (async () => {
    if (plan.install) {
      result.install = { exitCode: await install(plan, plan.install) };
      if (result.install.exitCode !== 0) return;
    }
    if (plan.typecheck) result.typecheck = await typecheck(plan, plan.typecheck);
  })();
  result.compile.exitCode = await compiled;
  await checked;
  return result;
}

// Run as a program: `node build-step.mjs <plan.json>`.
const invoked = process.argv[1] && /build-step\.(m?js|ts)$/.test(process.argv[1]) && process.argv[2];
if (invoked) {
  const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as BuildStepPlan;
  runBuildStep(plan).then(
    (result) => { say(`${RESULT_MARKER}${JSON.stringify(result)}`); },
    (err: unknown) => { say(`the build step failed: ${(err as Error).message}`); process.exitCode = 1; },
  );
}
