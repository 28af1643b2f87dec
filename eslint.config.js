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
// The control plane's layers, top to bottom (README, "Layers"): its entry points; the processes' entry layers api/
// (HTTP), jobs/ (queue workers) and edge/ (the edge process), side by side; the feature modules, which own their
// queries, rules and errors; platform/, the handles a process holds (database, Redis, queues, the deploy runtime);
// the components (drivers, provisioners, builder, images, ...); store/ (schema, migrations); and the base modules
// (config, errors, logger, ...). Each imports only below itself.

/** Public entries of @paddock/control-plane that the CLI and the dashboard may import: the API's types. */
const CONTROL_PLANE_PUBLIC = ['api-types'];

/** control-plane/src's folders (and root modules) by layer. */
const cp = {
  entries: ['main', 'index', 'api-types'],
  services: ['api', 'jobs', 'edge'],
  features: [
    'accounts', 'tokens', 'orgs', 'sites', 'deploys', 'env', 'domains', 'runs', 'databases', 'admin', 'audit', 'metrics', 'logs',
    'certificates', 'backups', 'billing',
    'releases', // (the deploy flow, until it moves into deploys/)
  ],
  platform: ['platform'],
  components: ['drivers', 'provisioners', 'builder', 'images', 'engine', 'artifacts', 'secrets'],
  store: ['store'],
  base: ['config', 'errors', 'logger', 'metrics', 'line-splitter'],
};

/** An import of one of these control-plane folders, from a file in another folder (or by package subpath). */
const cpFolders = (names) => `^(?:(?:\\.\\./)+|@paddock/control-plane/)(?:${names.join('|')})(?:/|$)`;

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
    // (A path into control-plane/ is refused whatever it names: the public entries go by package name.)
    regex: `^@paddock/control-plane(?!/(?:${CONTROL_PLANE_PUBLIC.join('|')})$)(/|$)|^\\.\\.?/(?:.*/)?control-plane(/|$)`,
    message: 'The CLI and the dashboard speak only the control plane\'s HTTP API: call it through their API client '
      + `instead of importing the control plane's code (its API's types are theirs to import: \`import type { ... } from '@paddock/control-plane/api-types'\`).`,
  },
  // The public entries hold only types: a value import would put the control plane's code into the CLI or the dashboard.
  controlPlaneTypesOnly: {
    regex: `^@paddock/control-plane/(?:${CONTROL_PLANE_PUBLIC.join('|')})$`,
    allowTypeImports: true,
    message: 'The control plane\'s API types are imported as types only: `import type { ... } from \'@paddock/control-plane/api-types\'`.',
  },
  cpEntries: {
    regex: '^(?:\\.\\./)+(?:main|index|api-types)\\.js$|^@paddock/control-plane(?:/(?:main|index|api-types))?$',
    message: 'Nothing in the control plane imports its entry points (main.ts, index.ts, api-types.ts): they import the rest.',
  },
  cpOtherService: (...names) => ({
    regex: cpFolders(names),
    message: 'api/, jobs/ and edge/ are the processes\' entry layers, side by side: none imports another. Move what both '
      + 'need into a feature module (or below), which each then calls.',
  }),
  cpServices: {
    regex: cpFolders(cp.services),
    message: 'A feature module never imports an API plugin, a job or the edge process: they call it. Take what it needs '
      + 'as an argument (a handle, a value), or move the shared code into the feature.',
  },
  cpFeatures: {
    regex: cpFolders(cp.features),
    message: 'Feature modules sit above this layer: platform handles, components and the store own no feature\'s rules. '
      + 'Pass what is needed in as an argument, or move the code up into the feature.',
  },
  cpPlatform: {
    regex: cpFolders(cp.platform),
    message: 'Components and the store sit below the platform handles (platform/): a driver, provisioner, builder or '
      + 'store takes what it needs as arguments, never a Platform or the deploy runtime.',
  },
  cpComponents: {
    regex: cpFolders(cp.components),
    message: 'The store imports nothing above it: types its tables need are declared in store/schema.ts.',
  },
  cpAnything: {
    regex: '^\\.\\.?/|^@paddock/control-plane(?:/|$)',
    message: 'The control plane\'s base modules (config, errors, logger, metrics, line-splitter) import nothing else of it.',
  },
};

const layers = [
  { name: 'runtime core', files: ['runtime/src/**'], ignores: ['runtime/src/contrib/**'], forbid: [forbidden.contrib, forbidden.controlPlane] },
  { name: 'runtime batteries', files: ['runtime/src/contrib/**'], forbid: [forbidden.controlPlane] },
  { name: 'runtime tests, starters and bin', files: ['runtime/**'], ignores: ['runtime/src/**'], forbid: [forbidden.controlPlane] },
  { name: 'CLI', files: ['cli/**'], ignores: ['cli/test/**'], forbid: [forbidden.controlPlaneInternals, forbidden.controlPlaneTypesOnly] },
  { name: 'dashboard', files: ['dashboard/**'], ignores: ['dashboard/test/**'], forbid: [forbidden.controlPlaneInternals, forbidden.controlPlaneTypesOnly] },
  // The docs site is a site like any tenant's; docs/tools and docs/test (generators, the tutorial's test) are no layer.
  { name: 'docs site', files: ['docs/site/**'], forbid: [forbidden.controlPlane] },
  ...controlPlaneLayers(),
];

function controlPlaneLayers() {
  const src = (names) => names.map((n) => `control-plane/src/${n}/**`);
  const { cpEntries, cpOtherService, cpServices, cpFeatures, cpPlatform, cpComponents, cpAnything } = forbidden;
  return [
    { name: 'control plane: api/', files: src(['api']), forbid: [cpEntries, cpOtherService('jobs', 'edge')] },
    { name: 'control plane: jobs/', files: src(['jobs']), forbid: [cpEntries, cpOtherService('api', 'edge')] },
    { name: 'control plane: edge/', files: src(['edge']), forbid: [cpEntries, cpOtherService('api', 'jobs')] },
    { name: 'control plane: features', files: src(cp.features), forbid: [cpEntries, cpServices] },
    { name: 'control plane: platform handles', files: src(cp.platform), forbid: [cpEntries, cpServices, cpFeatures] },
    { name: 'control plane: components', files: src(cp.components), forbid: [cpEntries, cpServices, cpFeatures, cpPlatform] },
    { name: 'control plane: store', files: src(cp.store), forbid: [cpEntries, cpServices, cpFeatures, cpPlatform, cpComponents] },
    { name: 'control plane: base modules', files: cp.base.map((n) => `control-plane/src/${n}.ts`), forbid: [cpAnything] },
  ];
}

/** The JavaScript source of a regex in an esquery selector, where '/' would end the literal. */
const inSelector = (regex) => regex.replaceAll('/', '\\u002F');

function layerBlock({ name, files, ignores = [], forbid }) {
  const sources = ['ts', 'tsx', 'mts', 'js', 'mjs'].map((ext) => `**/*.${ext}`);
  return {
    name: `layers: ${name}`,
    files: files.flatMap((f) => (f.endsWith('**') ? sources.map((s) => `${f.replace(/\*\*$/, '')}${s}`) : [f])),
    ignores,
    rules: {
      'no-restricted-imports': ['error', {
        patterns: forbid.map(({ regex, message, allowTypeImports }) => ({ regex, message, ...(allowTypeImports ? { allowTypeImports } : {}) })),
      }],
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
