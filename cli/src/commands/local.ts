// Local development: `init` from a starter, and `dev`, `check`, `makemigrations`, `migrate`
// delegating to the runtime's own `paddock-runtime` command on a local embedded database.
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { defineCommand, type Context } from '../command.js';
import { CliError, usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { ensureStateDir, requireSiteDir } from '../project.js';
import { linkRuntime, runRuntime, runtimeVersion, starterDir } from '../runtime-bin.js';

const starters = ['blank', 'blog'] as const;

/** Local commands use the database the site's settings name (the starters: an embedded Postgres in .paddock/db); DATABASE_URL overrides it. */
function localEnv(ctx: Context): NodeJS.ProcessEnv {
  return { ...ctx.env };
}

export const init = defineCommand({
  name: 'init',
  group: 'Local development',
  summary: 'Start a new site from a starter',
  usage: 'init <dir> [--starter blank|blog]',
  options: {
    starter: { type: 'string', placeholder: 'blank|blog', description: 'what to start from (default: blank)' },
    force: { type: 'boolean', description: 'write into a folder that is not empty' },
  },
  positionals: { min: 1, max: 1, names: 'a directory' },
  examples: ['paddock init mysite', 'paddock init myblog --starter blog'],
  async run(ctx, { values, positionals }) {
    const starter = values.starter ?? 'blank';
    if (!(starters as readonly string[]).includes(starter)) throw usageError(`No starter "${starter}".`, `Choose one of: ${starters.join(', ')}.`);
    const source = starterDir(starter);
    if (!existsSync(source)) throw new CliError('CLI_NO_STARTER', `The ${starter} starter is missing from @paddock/runtime (${source}).`, 'Reinstall the CLI.', ExitCode.failure);
    const target = resolve(ctx.cwd, positionals[0]!);
    if (existsSync(target) && readdirSync(target).length > 0 && !values.force) {
      throw usageError(`${target} exists and is not empty.`, 'Choose another directory, or pass --force to write into it.');
    }
    cpSync(source, target, {
      recursive: true,
      filter: (src) => !/(^|\/)(node_modules|\.paddock|dist)(\/|$)/.test(relative(source, src)),
    });
    // The project gets a package.json of its own: its name, and "type": "module" so that its
    // TypeScript loads as ES modules wherever the folder lives (a starter may come without one).
    const pkgFile = join(target, 'package.json');
    const pkg = existsSync(pkgFile) ? (JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, unknown>) : {};
    pkg.name = basename(target).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'site';
    pkg.private = true;
    pkg.type = 'module';
    if (!pkg.dependencies) pkg.dependencies = { '@paddock/runtime': `^${runtimeVersion()}` };
    writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
    linkRuntime(target);
    const rel = relative(ctx.cwd, target) || '.';
    ctx.out.data({ dir: target, starter }, () => {
      ctx.out.success(`Created a ${starter} site in ${rel}.`);
      ctx.out.line('Next:');
      const steps: Array<[string, string]> = [
        [`cd ${rel}`, ''],
        ['paddock dev', starter === 'blog' ? 'run it locally (it offers to create its tables first)' : 'run it locally'],
        ['paddock test', `run its tests (${starter === 'blog' ? 'blog/tests.ts' : 'tests.ts'})`],
        ['paddock sites:create <name>', 'create it on Paddock and link this folder'],
        ['paddock push', 'deploy'],
      ];
      for (const [cmd, what] of steps) ctx.out.line(`  ${what ? cmd.padEnd(29) : cmd}${what ? ctx.out.dim(`# ${what}`) : ''}`);
    });
  },
});

export const dev = defineCommand({
  name: 'dev',
  group: 'Local development',
  summary: 'Run the site locally, reloading on changes',
  usage: 'dev [dir] [--port <port>] [--migrate]',
  description: 'Serves the site with `paddock-runtime serve --dev` (DEBUG on, restarts when a source file changes) on the database\n'
    + 'the site\'s settings name (the starters: an embedded Postgres in .paddock/db); DATABASE_URL overrides it.\n'
    + 'It says how many migrations are unapplied and offers to apply them (--migrate: without asking). While it runs,\n'
    + 'other commands (paddock migrate, paddock-runtime shell, createsuperuser, loaddata) use the embedded database through it.\n'
    + 'Changes to .paddock/, node_modules/, logs and what .paddockignore lists do not restart it.',
  options: {
    port: { type: 'string', short: 'p', placeholder: 'port', description: 'port to listen on (default: 8000)' },
    host: { type: 'string', placeholder: 'address', description: 'address to listen on (default: 127.0.0.1)' },
    migrate: { type: 'boolean', description: 'apply unapplied migrations before serving, without asking' },
  },
  positionals: { max: 1 },
  examples: ['paddock dev', 'paddock dev --migrate --port 3001', 'DATABASE_URL=postgres://localhost/mysite paddock dev'],
  async run(ctx, { values, positionals }) {
    const siteDir = requireSiteDir(resolve(ctx.cwd, positionals[0] ?? '.'));
    const port = values.port ?? '8000';
    if (!/^\d+$/.test(port)) throw usageError(`--port takes a number, not "${port}".`);
    linkRuntime(siteDir);
    ensureStateDir(siteDir);
    ctx.out.info(ctx.out.dim(`Serving ${relative(ctx.cwd, siteDir) || '.'} at http://localhost:${port}/ (Ctrl-C stops)`));
    const args = ['serve', '--site-dir', siteDir, '--dev', '--port', port, '--host', values.host ?? '127.0.0.1', ...(values.migrate ? ['--migrate'] : [])];
    return await runRuntime(args, { cwd: siteDir, env: localEnv(ctx), signal: ctx.signal });
  },
});

type DelegatedOptions = Record<string, { type: 'boolean' | 'string'; description: string; placeholder?: string; short?: string }>;

function delegate(name: 'check' | 'makemigrations' | 'migrate' | 'test', summary: string, examples: string[], options: DelegatedOptions,
  more: { usage?: string; description?: string; positionals?: number } = {}) {
  return defineCommand({
    name,
    group: 'Local development',
    summary,
    usage: more.usage ?? `${name} [options] [args...]`,
    description: more.description ?? 'Runs in the site directory through `paddock-runtime`, on the database the site\'s settings name (the starters: an embedded Postgres in .paddock/db); DATABASE_URL overrides it.',
    options,
    positionals: { max: more.positionals ?? 5 },
    examples,
    async run(ctx, { values, positionals }) {
      const siteDir = requireSiteDir(ctx.cwd);
      linkRuntime(siteDir);
      ensureStateDir(siteDir);
      const flags = Object.entries(values)
        .filter(([k, v]) => k in options && v !== undefined && v !== false)
        .flatMap(([k, v]) => (v === true ? [`--${k}`] : [`--${k}`, String(v)]));
      return await runRuntime([name, '--site-dir', siteDir, ...positionals, ...flags], { cwd: siteDir, env: localEnv(ctx), signal: ctx.signal });
    },
  });
}

export const check = defineCommand({
  name: 'check',
  group: 'Local development',
  summary: 'Check the site: its types, then its settings',
  usage: 'check [--deploy] [--types-warn | --no-types]',
  description: 'Type-checks the site\'s TypeScript as `paddock push` does (the platform\'s compiler and options, the files a push\n'
    + 'uploads), printing each error as file:line:column, then runs the runtime\'s checks of its settings\n'
    + '(`paddock-runtime check`). Type errors fail the check, as they fail a push, unless --types-warn is given or\n'
    + 'the site\'s package.json says "paddock": { "typecheck": "warn" } (then they are only reported).',
  options: {
    deploy: { type: 'boolean', description: 'also report what a production site lacks' },
    'types-warn': { type: 'boolean', description: 'report type errors as warnings instead of failing' },
    'no-types': { type: 'boolean', description: 'skip the type check' },
  },
  examples: ['paddock check', 'paddock check --deploy', 'paddock check --types-warn'],
  async run(ctx, { values }) {
    const siteDir = requireSiteDir(ctx.cwd);
    linkRuntime(siteDir);
    let typesFailed = false;
    if (!values['no-types']) {
      const { formatDiagnostic, typecheckSite } = await import('../typecheck.js');
      const r = await typecheckSite(siteDir, { warn: values['types-warn'] ?? false });
      if (r.ignored.length) ctx.out.info(ctx.out.dim(`tsconfig.json: ignoring ${r.ignored.join(', ')} (the platform decides what is compiled, how and where to)`));
      for (const d of r.diagnostics) ctx.out.line(formatDiagnostic(d));
      if (r.outside) ctx.out.info(ctx.out.dim(`${r.outside} type error${r.outside === 1 ? '' : 's'} in files outside the site (installed packages): not shown, and not counted against it.`));
      if (!r.errors) ctx.out.success(`Types: ${r.files} TypeScript file${r.files === 1 ? '' : 's'} checked, no errors.`);
      else if (r.mode === 'warn') ctx.out.warn(`${r.errors} type error${r.errors === 1 ? '' : 's'} (reported as warnings: ${values['types-warn'] ? '--types-warn' : '"paddock": { "typecheck": "warn" } in package.json'}).`);
      else {
        typesFailed = true;
        ctx.out.info(ctx.out.red(`✗ ${r.errors} type error${r.errors === 1 ? '' : 's'}: \`paddock push\` would fail the same way. Fix them, or pass --types-warn while you do.`));
      }
    }
    const code = await runRuntime(['check', '--site-dir', siteDir, ...(values.deploy ? ['--deploy'] : [])], { cwd: siteDir, env: localEnv(ctx), signal: ctx.signal });
    return typesFailed && code === 0 ? ExitCode.failure : code;
  },
});

export const makemigrations = delegate('makemigrations', 'Write migrations for model changes', ['paddock makemigrations', 'paddock makemigrations blog --name add_tags'], {
  name: { type: 'string', placeholder: 'name', description: 'name of the migration file' },
});

export const migrate = delegate('migrate', 'Apply migrations to the local database', ['paddock migrate', 'paddock migrate blog 0001_initial'], {});

export const test = delegate('test', 'Run the site\'s tests', ['paddock test', 'paddock test blog', 'paddock test blog/tests.ts --name "needs a login"'], {
  name: { type: 'string', short: 'k', placeholder: 'pattern', description: 'only tests whose name matches this regular expression' },
  parallel: { type: 'string', placeholder: 'n', description: 'test files run at once (default: one per CPU but one)' },
  reporter: { type: 'string', placeholder: 'spec|tap|dot', description: 'how results are printed (default: spec)' },
}, {
  usage: 'test [app | folder | file ...] [--name <pattern>]',
  description: 'Runs the site\'s tests (files named tests.ts, test_*.ts or *.test.ts, e.g. blog/tests.ts) with Node\'s test runner,\n'
    + 'on a test database made for the run from the site\'s migrations (never the site\'s own database), each test inside\n'
    + 'a transaction rolled back at its end. Exits non-zero when a test fails. Tests use @paddock/runtime/test: a test\n'
    + 'client, assertions, fixtures, settings overrides and the mail outbox (docs/topics/testing.md).',
  positionals: 50,
});
