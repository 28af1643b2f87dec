// The compiler configuration a site is built and type-checked with: the platform's, never the
// site's own tsconfig.json. A site's tsconfig.json is read as data and may only adjust options that
// cannot name a file (strictness flags, JSX and decorator settings...); options that reach other
// files or config (`extends`, `paths`, `baseUrl`, `typeRoots`, `plugins`, ...) are refused, and
// options about where output goes are the platform's and ignored. The platform's builder and
// `paddock check` both take their options from here, so a site checks the same locally and on push.

/** What esbuild compiles each module for (the runtime image's Node). */
export const COMPILE_TARGET = 'node20';

/** The type check's options; a site's tsconfig.json may adjust the flags listed below. */
export const PLATFORM_COMPILER_OPTIONS = {
  target: 'es2023',
  lib: ['es2023'],
  module: 'nodenext',
  moduleResolution: 'nodenext',
  strict: true,
  skipLibCheck: true,
  isolatedModules: true,
  esModuleInterop: true,
  resolveJsonModule: true,
  forceConsistentCasingInFileNames: true,
  noEmit: true,
  types: ['node'],
} as const;

/** Type-check flags a site may set (booleans that only change what is reported). */
const CHECK_FLAGS = new Set([
  'strict', 'noImplicitAny', 'strictNullChecks', 'strictFunctionTypes', 'strictBindCallApply',
  'strictPropertyInitialization', 'strictBuiltinIteratorReturn', 'noImplicitThis', 'useUnknownInCatchVariables',
  'alwaysStrict', 'noUnusedLocals', 'noUnusedParameters', 'exactOptionalPropertyTypes', 'noImplicitReturns',
  'noFallthroughCasesInSwitch', 'noUncheckedIndexedAccess', 'noImplicitOverride', 'noPropertyAccessFromIndexSignature',
  'allowUnusedLabels', 'allowUnreachableCode', 'allowJs', 'checkJs', 'resolveJsonModule', 'esModuleInterop',
  'allowSyntheticDefaultImports', 'forceConsistentCasingInFileNames', 'skipLibCheck', 'isolatedModules',
  'noUncheckedSideEffectImports', 'erasableSyntaxOnly',
]);

/** Flags that change the compiled JavaScript too: esbuild gets them as well. */
const COMPILE_FLAGS = new Set(['experimentalDecorators', 'useDefineForClassFields', 'verbatimModuleSyntax']);

/** Flags only the type check knows (esbuild has no use for them). */
const CHECK_ONLY_COMPILE_FLAGS = new Set(['emitDecoratorMetadata']);

const JSX_MODES = new Set(['preserve', 'react', 'react-jsx', 'react-jsxdev', 'react-native']);

/** Where output goes and how modules are emitted: the platform decides; a site's values are dropped. */
const PLATFORM_OWNED = new Set([
  'target', 'module', 'moduleResolution', 'moduleDetection', 'outDir', 'outFile', 'rootDir', 'declaration',
  'declarationMap', 'declarationDir', 'emitDeclarationOnly', 'sourceMap', 'inlineSourceMap', 'inlineSources',
  'sourceRoot', 'mapRoot', 'noEmit', 'noEmitOnError', 'incremental', 'composite', 'tsBuildInfoFile',
  'removeComments', 'importHelpers', 'newLine', 'pretty', 'customConditions', 'noErrorTruncation',
  'preserveConstEnums', 'isolatedDeclarations', 'stripInternal', 'downlevelIteration', 'emitBOM',
  'allowImportingTsExtensions', 'rewriteRelativeImportExtensions', 'listFiles', 'listEmittedFiles',
  'traceResolution', 'diagnostics', 'extendedDiagnostics', 'explainFiles', 'disableSizeLimit',
  'importsNotUsedAsValues', 'preserveValueImports', 'ignoreDeprecations', 'libReplacement',
]);

/** Why an option that could reach another file is refused, by option. */
const REFUSED: Record<string, string> = {
  extends: 'the build uses the platform\'s compiler configuration and reads no other config file; copy the options you need into "compilerOptions"',
  references: 'project references name other folders and configs; a site is one project',
  paths: 'the build compiles each file on its own and does not rewrite import paths, so an alias would break at run time; use relative imports, or "imports" in package.json (`#alias`)',
  baseUrl: 'the build compiles each file on its own and does not rewrite import paths, so bare imports resolved from it would break at run time; use relative imports',
  rootDirs: 'it merges folders the build does not lay out that way; use relative imports',
  typeRoots: 'the type check reads types from the site\'s dependencies and the runtime only; list package names in "types" instead',
  plugins: 'the build loads no compiler plugins',
};

/** A site option the build will not take; `option` names it (`extends`, `compilerOptions.paths`). */
export class TsconfigRefusal extends Error {
  readonly option: string;
  readonly reason: string;
  constructor(option: string, reason: string) {
    super(`tsconfig.json sets "${option}", which the build does not accept: ${reason}.`);
    this.name = 'TsconfigRefusal';
    this.option = option;
    this.reason = reason;
  }
}

export interface SiteCompilerOptions {
  /** The type check's compilerOptions: the platform's, adjusted by the site's allowed flags. */
  typecheck: Record<string, unknown>;
  /** esbuild's `--tsconfig-raw` (JSON): the few options that change compiled output. */
  esbuildTsconfigRaw: string;
  /** Options of the site's tsconfig.json the platform owns and dropped (say so in the build log). */
  ignored: string[];
}

const PACKAGE_NAME = /^(@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/;
const LIB_NAME = /^[a-z0-9.]+$/i;
const JSX_FACTORY = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

/** Reads tsconfig.json's JSON-with-comments (comments, trailing commas) as plain data. */
export function parseJsonc(text: string): unknown {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
      out += ' ';
    } else out += c;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(option: string, value: unknown, valid: RegExp, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new TsconfigRefusal(option, 'it must be a list of strings');
  }
  const bad = value.find((v) => !valid.test(v));
  if (bad !== undefined) throw new TsconfigRefusal(option, `"${bad}" is not ${what}`);
  return value;
}

/**
 * The options a site builds and type-checks with, given the text of its tsconfig.json (or
 * undefined without one). Throws TsconfigRefusal for an option the build will not take.
 */
export function siteCompilerOptions(tsconfigText: string | undefined): SiteCompilerOptions {
  const typecheck: Record<string, unknown> = { ...PLATFORM_COMPILER_OPTIONS, lib: [...PLATFORM_COMPILER_OPTIONS.lib], types: [...PLATFORM_COMPILER_OPTIONS.types] };
  const esbuild: Record<string, unknown> = {};
  const ignored: string[] = [];
  if (tsconfigText === undefined) return { typecheck, esbuildTsconfigRaw: JSON.stringify({ compilerOptions: esbuild }), ignored };
  let config: unknown;
  try {
    config = parseJsonc(tsconfigText);
  } catch (err) {
    throw new TsconfigRefusal('tsconfig.json', `it is not valid JSON (${(err as Error).message})`);
  }
  if (!isRecord(config)) throw new TsconfigRefusal('tsconfig.json', 'it must hold a JSON object');
  for (const key of ['extends', 'references']) {
    if (key in config) throw new TsconfigRefusal(key, REFUSED[key]!);
  }
  // include / exclude / files: the build type-checks every TypeScript file of the upload.
  for (const key of ['include', 'exclude', 'files']) if (key in config) ignored.push(key);
  const options = config.compilerOptions ?? {};
  if (!isRecord(options)) throw new TsconfigRefusal('compilerOptions', 'it must be an object');
  for (const [name, value] of Object.entries(options)) {
    const option = `compilerOptions.${name}`;
    if (REFUSED[name]) throw new TsconfigRefusal(option, REFUSED[name]);
    if (PLATFORM_OWNED.has(name)) { ignored.push(option); continue; }
    if (CHECK_FLAGS.has(name) || COMPILE_FLAGS.has(name) || CHECK_ONLY_COMPILE_FLAGS.has(name)) {
      if (typeof value !== 'boolean') throw new TsconfigRefusal(option, 'it must be true or false');
      typecheck[name] = value;
      if (COMPILE_FLAGS.has(name)) esbuild[name] = value;
      continue;
    }
    switch (name) {
      case 'jsx':
        if (typeof value !== 'string' || !JSX_MODES.has(value.toLowerCase())) {
          throw new TsconfigRefusal(option, `it must be one of ${[...JSX_MODES].join(', ')}`);
        }
        typecheck.jsx = value.toLowerCase();
        esbuild.jsx = value.toLowerCase();
        break;
      case 'jsxFactory':
      case 'jsxFragmentFactory':
        if (typeof value !== 'string' || !JSX_FACTORY.test(value)) throw new TsconfigRefusal(option, 'it must be an identifier such as `h` or `React.createElement`');
        typecheck[name] = value;
        esbuild[name] = value;
        break;
      case 'jsxImportSource':
        if (typeof value !== 'string' || !PACKAGE_NAME.test(value)) throw new TsconfigRefusal(option, 'it must be a package name such as `preact`, not a path');
        typecheck[name] = value;
        esbuild[name] = value;
        break;
      case 'lib':
        typecheck.lib = stringList(option, value, LIB_NAME, 'a library name such as `es2023` or `dom`');
        break;
      case 'types':
        typecheck.types = stringList(option, value, PACKAGE_NAME, 'a package name (a path is not accepted)');
        break;
      default:
        throw new TsconfigRefusal(option, 'it is not one of the options a site may set (options that name files, folders or plugins are not accepted); remove it');
    }
  }
  return { typecheck, esbuildTsconfigRaw: JSON.stringify({ compilerOptions: esbuild }), ignored };
}

/** How a site's type errors count: `error` fails the build (the default), `warn` only reports them. */
export type TypecheckMode = 'error' | 'warn';

/**
 * The site's `"paddock": { "typecheck": "warn" }` setting from its package.json (parsed), or
 * `error`. Throws for another value, with the values it takes.
 */
export function typecheckMode(pkg: unknown): TypecheckMode {
  const setting = isRecord(pkg) && isRecord(pkg.paddock) ? pkg.paddock.typecheck : undefined;
  if (setting === undefined || setting === 'error') return 'error';
  if (setting === 'warn') return 'warn';
  throw new Error(`package.json sets "paddock": { "typecheck": ${JSON.stringify(setting)} }; it takes "error" (the default: type errors fail the build) or "warn" (they are only reported)`);
}
