// Bundles @paddock/runtime's dist/ and the packages it imports into a few ESM chunks for the
// runtime image, because a stopped site boots on every wake: Node resolving, stat-ing and reading
// ~500 modules one by one was most of that boot. Each public entry point of the package (its
// exports map: `@paddock/runtime`, `/contrib/auth`, `/host`, ...) and each file the runtime loads by
// path (the built-in apps' migrations) stays an entry file at its own path (a thin file
// re-exporting from shared chunks), so imports from site code, app folders and migrations resolve
// as before and share one instance of every module.
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** Changes whenever this bundler does, so runtime images built by an older one are not reused. */
export const BUNDLER_HASH = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex').slice(0, 12);

/**
 * Left to Node's own resolution from the image's node_modules: optional backends the runtime loads
 * only on demand (PGlite, tsx for TypeScript sites in dev, pg's native binding, TypeScript's parser
 * for makemessages, a dev command, the AWS SDK for S3 media, LiquidJS), and what Fastify requires lazily but the
 * site host never uses (its schema compilers, inject()).
 */
export const UNBUNDLED = [
  '@electric-sql/pglite', '@electric-sql/pglite/*', 'tsx', 'tsx/*', 'pg-native', 'typescript',
  // Loaded only by sites that use them: S3 media storage, the LiquidJS template engine.
  '@aws-sdk/client-s3', 'liquidjs',
  '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', 'light-my-request',
];

// Bundled CommonJS packages call require() (node: built-ins, the unbundled packages) and read
// __dirname; ESM has neither, so each output file gets its own, resolving from where it lies.
const BANNER = [
  "import { createRequire as __pdkRequire } from 'node:module';",
  "import { fileURLToPath as __pdkPath } from 'node:url';",
  'const require = __pdkRequire(import.meta.url);',
  'const __filename = __pdkPath(import.meta.url);',
  "const __dirname = __pdkPath(new URL('.', import.meta.url));",
].join(' ');

function jsFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) jsFiles(p, out);
    else if (name.endsWith('.js')) out.push(p);
  }
  return out;
}

/**
 * The bundle's entry points: the files the package's exports map names (a site can import nothing
 * else) and the built-in apps' migrations, which the migration loader imports by path.
 */
export function runtimeEntryPoints(distDir: string): string[] {
  const pkgDir = dirname(distDir);
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { exports: Record<string, string | { default?: string }> };
  const exported = Object.values(pkg.exports).flatMap((e) => (typeof e === 'object' && e.default?.endsWith('.js') ? [join(pkgDir, e.default)] : []));
  const migrations = jsFiles(distDir).filter((f) => /[\\/]migrations[\\/]\d{4}_[^\\/]+\.js$/.test(f));
  return [...new Set([...exported, ...migrations])];
}

/**
 * A runtime module finds its data files (templates, migrations, word lists) beside itself through
 * import.meta.url; bundled, it would see its chunk's URL instead. Each one gets the URL it has in
 * the image, where its entry file and data files stay.
 */
function keepModuleUrls(distDir: string, finalDir: string): Plugin {
  const prefix = distDir.endsWith(sep) ? distDir : distDir + sep;
  return {
    name: 'paddock-module-urls',
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(prefix)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        const url = pathToFileURL(join(finalDir, relative(distDir, args.path))).href;
        return { contents: source.replaceAll('import.meta.url', JSON.stringify(url)), loader: 'js' };
      });
    },
  };
}

/**
 * pg probes for Cloudflare Workers when it loads, with `new Response(...)`: on Node 20 that first
 * touch of the Response global loads undici (~10 ms of a boot). The image only ever runs on Node.
 */
function skipWorkersProbe(): Plugin {
  return {
    name: 'paddock-pg-node-only',
    setup(b) {
      b.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const probe = "typeof Response === 'function'";
        if (!source.includes(probe)) return undefined;
        return { contents: source.replace(probe, 'false'), loader: 'js' };
      });
    },
  };
}

/**
 * Writes the bundled dist/ to `outDir`, which will be `finalDir` in the image. Files that are not
 * JavaScript (templates, data files) are copied as they are; declarations and maps are left out.
 */
export async function bundleRuntime(distDir: string, outDir: string, finalDir: string): Promise<void> {
  await build({
    entryPoints: runtimeEntryPoints(distDir),
    outdir: outDir,
    outbase: distDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: UNBUNDLED,
    banner: { js: BANNER },
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [keepModuleUrls(distDir, finalDir), skipWorkersProbe()],
    logLevel: 'silent',
  });
  // The modules are in the bundle; everything else is copied, scripts an app serves to browsers (static/) included.
  cpSync(distDir, outDir, {
    recursive: true,
    filter: (src) => statSync(src).isDirectory() || /[\\/]static[\\/]/.test(src) || !/\.(js|d\.ts|map)$/.test(src),
  });
}
