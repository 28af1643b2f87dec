// `paddock check`'s type check: the site's TypeScript checked as the platform's build checks it, with the same
// compiler (TypeScript's native tsc, the version the builder image has) and the same compiler options
// (@paddock/runtime/compiler-options: the platform's, adjusted only by the flags a site's tsconfig.json may set),
// over the files a push would upload. Errors come out as `blog/views.ts:12:5 - error TS2322: ...`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { siteCompilerOptions, typecheckMode, TsconfigRefusal, type TypecheckMode } from '@paddock/runtime/compiler-options';
import { IgnoreRules } from '@paddock/runtime/paddockignore';
import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { runtimeDir } from './runtime-bin.js';

const TS = /\.(ts|mts|tsx)$/;
const require = createRequire(import.meta.url);

export interface Diagnostic {
  /** Relative to the site; absent for a diagnostic about no file. */
  file?: string;
  line?: number;
  column?: number;
  category: 'error' | 'warning';
  code: string;
  message: string;
}

export interface TypecheckResult {
  mode: TypecheckMode;
  files: number;
  /** Diagnostics in the site's own files (and those about no file). */
  diagnostics: Diagnostic[];
  errors: number;
  /** Diagnostics in files outside the site (installed packages): counted, not shown, as the platform's build does. */
  outside: number;
  /** Options of the site's tsconfig.json the platform owns and ignores. */
  ignored: string[];
}

/** `file:line:col - error TS1234: message`, as the platform's build prints it. */
export function formatDiagnostic(d: Diagnostic): string {
  const at = d.file ? `${d.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''} - ` : '';
  return `${at}${d.category} ${d.code}: ${d.message}`;
}

/** The native compiler the platform builds with, for this machine. */
function compiler(): string {
  const name = `@typescript/typescript-${process.platform}-${process.arch}`;
  try {
    return join(dirname(require.resolve(`${name}/package.json`)), 'lib', 'tsc');
  } catch {
    throw new CliError('CLI_NO_TSC', `TypeScript's native compiler for ${process.platform}-${process.arch} (${name}) is not installed, so the types cannot be checked.`,
      'Reinstall the CLI (`npm i -g @paddock/cli`), or check without types: `paddock check --no-types`.', ExitCode.failure);
  }
}

/** The folder holding @types/node (the platform's options name the `node` types). */
function nodeTypesRoot(): string | undefined {
  try {
    return dirname(dirname(require.resolve('@types/node/package.json')));
  } catch {
    return undefined;
  }
}

/** The TypeScript files a push would upload (.paddockignore applies), relative to the site, declaration files aside. */
export function siteTypeScriptFiles(siteDir: string): string[] {
  const rules = IgnoreRules.read(siteDir);
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const rel = relative(siteDir, full).split(sep).join('/');
      if (rules.ignores(rel, entry.isDirectory())) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && TS.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
    }
  };
  walk(siteDir);
  return out.sort();
}

const LOCATED = /^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+): (.*)$/;
const GLOBAL = /^(error|warning) (TS\d+): (.*)$/;

/** tsc's `--pretty false` lines as diagnostics; those in files outside the site are only counted. */
export function parseDiagnostics(lines: readonly string[], siteDir: string): { diagnostics: Diagnostic[]; outside: number } {
  const diagnostics: Diagnostic[] = [];
  let outside = 0;
  let current: Diagnostic | undefined;
  for (const line of lines) {
    const located = LOCATED.exec(line);
    const global = located ? undefined : GLOBAL.exec(line);
    if (located) {
      const abs = isAbsolute(located[1]!) ? located[1]! : join(siteDir, located[1]!);
      const file = relative(siteDir, abs).split(sep).join('/');
      if (file.startsWith('..') || isAbsolute(file)) {
        outside++;
        current = undefined;
        continue;
      }
      current = { file, line: Number(located[2]), column: Number(located[3]), category: located[4] as 'error' | 'warning', code: located[5]!, message: located[6]! };
      diagnostics.push(current);
    } else if (global) {
      current = { category: global[1] as 'error' | 'warning', code: global[2]!, message: global[3]! };
      diagnostics.push(current);
    } else if (/^\s/.test(line) && line.trim() && current) {
      // A chained message's next lines ("  Property 'x' is missing...").
      current.message += `\n${line}`;
    }
  }
  return { diagnostics, outside };
}

function runCompiler(argv: string[], cwd: string): Promise<{ code: number; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, lines: out.split(/\r?\n/) }));
  });
}

/**
 * Type-checks the site in `siteDir`. `warn` (the --types-warn flag) reports errors as warnings; otherwise the site's
 * package.json decides ("paddock": { "typecheck": "warn" }), as on the platform.
 */
export async function typecheckSite(siteDir: string, opts: { warn?: boolean } = {}): Promise<TypecheckResult> {
  const pkgFile = join(siteDir, 'package.json');
  let mode: TypecheckMode;
  let options: ReturnType<typeof siteCompilerOptions>;
  try {
    mode = opts.warn ? 'warn' : typecheckMode(existsSync(pkgFile) ? JSON.parse(readFileSync(pkgFile, 'utf8')) as unknown : undefined);
    const tsconfig = join(siteDir, 'tsconfig.json');
    options = siteCompilerOptions(existsSync(tsconfig) ? readFileSync(tsconfig, 'utf8') : undefined);
  } catch (err) {
    const why = err instanceof TsconfigRefusal ? err.message : `${(err as Error).message}.`;
    throw new CliError('CLI_SITE_CONFIG', why, 'Fix it, then run `paddock check` again: `paddock push` refuses the same.', ExitCode.failure);
  }
  const files = siteTypeScriptFiles(siteDir);
  if (!files.length) return { mode, files: 0, diagnostics: [], errors: 0, outside: 0, ignored: options.ignored };
  const tsc = compiler();
  const nodeTypes = nodeTypesRoot();
  // The runtime's types: its built declarations, or its sources when it runs from them (a checkout without a build).
  const fromSource = process.env.PADDOCK_RUNTIME_FROM === 'source' || !existsSync(join(runtimeDir(), 'dist', 'index.d.ts'));
  const scratch = mkdtempSync(join(tmpdir(), 'paddock-check-'));
  try {
    const config = join(scratch, 'tsconfig.json');
    writeFileSync(config, JSON.stringify({
      compilerOptions: {
        ...options.typecheck, noEmit: true,
        typeRoots: [join(siteDir, 'node_modules', '@types'), ...(nodeTypes ? [nodeTypes] : [])],
        ...(fromSource ? { customConditions: ['paddock-source'] } : {}),
      },
      files: files.map((f) => join(siteDir, f)),
    }));
    const { code, lines } = await runCompiler([tsc, '-p', config, '--pretty', 'false'], siteDir);
    const { diagnostics, outside } = parseDiagnostics(lines, siteDir);
    if (code !== 0 && !diagnostics.length && !outside) {
      const why = lines.filter((l) => l.trim()).slice(-3).join(' / ');
      diagnostics.push({ category: 'error', code: 'TSC', message: `the type checker failed (exit ${code})${why ? `: ${why}` : ''}` });
    }
    const errors = diagnostics.filter((d) => d.category === 'error').length;
    return { mode, files: files.length, diagnostics, errors, outside, ignored: options.ignored };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
