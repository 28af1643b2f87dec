// One lint config for every workspace: typescript-eslint's recommended rules on TS sources, and the layers (README,
// "Layers"): which code may import which.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// ---------------------------------------------------------------- layers
//
// Each layer is a group of files and the imports forbidden to them. An import is matched on its specifier as written
// (a relative path or a package subpath: this repo has no path aliases), by core ESLint rules, no plugin needed:
// no-restricted-imports for imports, type imports and re-exports, no-restricted-syntax for import() with a literal.
// A file belongs to one layer only: flat config keeps the last matching block's options for a rule, it does not merge
// them, so the groups below are disjoint. Tests that start a whole platform (cli/test, dashboard/test) are no layer.
//
// The control plane's own layers (drivers and provisioners ↛ api/ and jobs/, features ↛ api/) are one more entry each
// in `layers`, e.g. { name: 'drivers', files: ['control-plane/src/drivers/**'], forbid: [cpApiOrJobs] }.

/** Public entries of @paddock/control-plane that the CLI and the dashboard may import (e.g. 'api-types'); none yet. */
const CONTROL_PLANE_PUBLIC = [];

const forbidden = {
  contrib: {
    regex: '(^|/)contrib(/|$)',
    message: 'The runtime\'s core imports no battery (runtime/src/contrib/): a battery plugs in through its AppConfig '
      + '(commands, contextProcessors, templates/, static/) like a site\'s own app. Move the code into the battery, or '
      + 'give the core an extension point the battery fills.',
  },
  controlPlane: {
    regex: '^@paddock/control-plane(/|$)|(^|/)control-plane(/|$)',
    message: 'The runtime never imports the control plane: it runs inside tenant containers. Pass what it needs in '
      + 'through the environment or the site\'s settings.',
  },
  controlPlaneInternals: {
    regex: CONTROL_PLANE_PUBLIC.length
      ? `^@paddock/control-plane(?!/(?:${CONTROL_PLANE_PUBLIC.join('|')})$)(/|$)|(^|/)control-plane(/|$)`
      : '^@paddock/control-plane(/|$)|(^|/)control-plane(/|$)',
    message: 'The CLI and the dashboard speak only the control plane\'s HTTP API: call it through their API client '
      + 'instead of importing the control plane\'s code.',
  },
};

const layers = [
  { name: 'runtime core', files: ['runtime/src/**'], ignores: ['runtime/src/contrib/**'], forbid: [forbidden.contrib, forbidden.controlPlane] },
  { name: 'runtime batteries', files: ['runtime/src/contrib/**'], forbid: [forbidden.controlPlane] },
  { name: 'runtime tests, starters and bin', files: ['runtime/**'], ignores: ['runtime/src/**'], forbid: [forbidden.controlPlane] },
  { name: 'CLI', files: ['cli/**'], ignores: ['cli/test/**'], forbid: [forbidden.controlPlaneInternals] },
  { name: 'dashboard', files: ['dashboard/**'], ignores: ['dashboard/test/**'], forbid: [forbidden.controlPlaneInternals] },
  // The docs site is a site like any tenant's; docs/tools and docs/test (generators, the tutorial's test) are no layer.
  { name: 'docs site', files: ['docs/site/**'], forbid: [forbidden.controlPlane] },
];

/** The JavaScript source of a regex in an esquery selector, where '/' would end the literal. */
const inSelector = (regex) => regex.replaceAll('/', '\\u002F');

function layerBlock({ name, files, ignores = [], forbid }) {
  const sources = ['ts', 'tsx', 'mts', 'js', 'mjs'].map((ext) => `**/*.${ext}`);
  return {
    name: `layers: ${name}`,
    files: files.flatMap((f) => sources.map((s) => `${f.replace(/\*\*$/, '')}${s}`)),
    ignores,
    rules: {
      'no-restricted-imports': ['error', { patterns: forbid.map(({ regex, message }) => ({ regex, message })) }],
      'no-restricted-syntax': ['error', ...forbid.map(({ regex, message }) => ({
        selector: `ImportExpression[source.value=/${inSelector(regex)}/]`, message,
      }))],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**', '**/dist/**', '**/.next/**', 'var/**', 'test-output/**',
      'dashboard/next-env.d.ts', '**/starters/**/migrations/**', 'docs/reference/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly',
        clearInterval: 'readonly', setImmediate: 'readonly', fetch: 'readonly',
        AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly',
        TextDecoder: 'readonly', URLSearchParams: 'readonly', Response: 'readonly',
        Request: 'readonly', Headers: 'readonly', structuredClone: 'readonly',
        queueMicrotask: 'readonly', performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Scripts an app serves as static files run in the browser.
    files: ['**/static/**/*.js'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', Option: 'readonly', Event: 'readonly' } },
  },
  ...layers.map(layerBlock),
);
