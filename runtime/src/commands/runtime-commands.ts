// The runtime's own commands (besides `serve` and `help`, which paddock-runtime runs itself): checks, static files,
// migrations, the shell, dumpdata / loaddata, and makemessages / compilemessages for translation catalogues. Each
// loads what it needs when it runs, so listing them costs nothing.
import { readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { CommandError } from '../errors.js';
import type { AppConfig } from '../site/define.js';
import type { Site } from '../site/site.js';
import type { TemplateMessage } from '../templates/engine.js';
import { defineCommand, type Command, type CommandEntry } from './command.js';

const check = defineCommand({
  help: 'report configuration problems\n(--deploy: also what a production site lacks)',
  usage: '[--deploy] [--fail-level error|warning]',
  options: {
    deploy: { type: 'boolean', default: false, description: 'also check production readiness' },
    'fail-level': { type: 'string', default: 'error', placeholder: 'error|warning', description: 'exit 1 from this level up' },
  },
  database: false,
  async run({ site, values, out }) {
    const { formatChecks, runChecks } = await import('../checks/checks.js');
    const messages = runChecks(site, { deploy: values.deploy ?? false });
    out(formatChecks(messages));
    const failOn = values['fail-level'] === 'warning' ? ['error', 'warning'] : ['error'];
    return messages.some((m) => failOn.includes(m.level)) ? 1 : 0;
  },
});

const collectstatic = defineCommand({
  help: 'copy static files to STATIC_ROOT with content-hashed names',
  database: false,
  async run({ site, out }) {
    const { collectStatic } = await import('../static/collect.js');
    const { root, files } = collectStatic(site.staticFiles.sourceDirs, site.staticFiles.root, (done, total) => {
      if (process.stderr.isTTY) process.stderr.write(`\rcollecting static files ${done}/${total}`);
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    out(`${files} static file${files === 1 ? '' : 's'} copied to ${root}.`);
  },
});

const nameOption = { type: 'string', placeholder: 'NAME', description: 'name of the migration file' } as const;
const databaseOption = { type: 'string', placeholder: 'ALIAS', description: 'the database to use (default: default)' } as const;

interface MigrationArgs {
  apps: { label: string; dir: string }[];
  log: (line: string) => void;
  values: { name?: string; database?: string };
  positionals: string[];
}

/** The ORM's migration commands, on the site's apps; they report progress line by line, text results are printed. */
function migrationCommand(help: string, usage: string, maxPositionals: number, withName: boolean,
  run: (db: typeof import('../db/index.js'), args: MigrationArgs) => Promise<unknown>): Command {
  return defineCommand({
    help, usage, maxPositionals,
    options: withName ? { name: nameOption } : { database: databaseOption },
    async run({ site, values, positionals, out }) {
      const result = await run(await import('../db/index.js'), {
        apps: site.apps.map((a) => ({ label: a.label, dir: a.dir })), log: out, values: values as MigrationArgs['values'], positionals,
      });
      if (typeof result === 'string') out(result);
    },
  });
}

const makemigrations = migrationCommand('write migrations for model changes', '[app] [--name NAME]', 1, true,
  (db, a) => db.makeMigrations({ apps: a.apps, log: a.log, name: a.values.name, app: a.positionals[0] }));
const migrate = migrationCommand('apply migrations (of [app] up to [target]:\na migration name, its 4 digits, or zero)', '[app] [target]', 2, false,
  (db, a) => db.migrate({ apps: a.apps, log: a.log, database: a.values.database, app: a.positionals[0], target: a.positionals[1] }));
const showmigrations = migrationCommand('list migrations and whether they are applied', '', 0, false,
  (db, a) => db.showMigrations({ apps: a.apps, log: a.log, database: a.values.database }));
const sqlmigrate = migrationCommand('print the SQL a migration runs', '<app> <migration>', 2, false, (db, a) => {
  const [app, migration] = a.positionals;
  if (!app || !migration) throw new CommandError('sqlmigrate needs an app and a migration: paddock-runtime sqlmigrate blog 0001', { usage: true });
  return db.sqlMigrate({ apps: a.apps, log: a.log, database: a.values.database, app, migration });
});

const shell = defineCommand({
  help: 'a Node REPL with the site, its models and the runtime\nloaded (top-level await; -c: run CODE, print its value,\nexit 1 on an error)',
  usage: '[-c CODE]',
  options: { command: { type: 'string', short: 'c', placeholder: 'CODE', description: 'run CODE instead of the prompt' } },
  async run({ site, values }) {
    const { shell: repl } = await import('../host/shell.js');
    return repl(site, { code: values.command });
  },
});

const formatOption = { type: 'string', placeholder: 'json|xml', description: 'the data format (default: json; loaddata: from the file name)' } as const;

function readFormat(value: string | undefined): 'json' | 'xml' | undefined {
  if (value !== undefined && value !== 'json' && value !== 'xml') throw new CommandError(`--format must be json or xml, not '${value}'.`, { usage: true });
  return value;
}

const dumpdata = defineCommand({
  help: 'print objects (of every model, or the apps and models named)',
  usage: '[app | app.Model ...] [--format json|xml] [--indent N]',
  options: { format: formatOption, indent: { type: 'string', placeholder: 'N', description: 'indent the output by N spaces' } },
  maxPositionals: Infinity,
  async run({ values, positionals, out }) {
    const { registry } = await import('../db/index.js');
    const { dumpData } = await import('../serializers/index.js');
    const all = [...registry.models.values()];
    const models = !positionals.length ? all : positionals.flatMap((spec) => {
      const found = spec.includes('.')
        ? all.filter((m) => m._meta.label.toLowerCase() === spec.toLowerCase())
        : all.filter((m) => m._meta.app === spec);
      if (!found.length) throw new CommandError(`No model or app '${spec}'. Use an app label ('blog') or a model ('blog.Post').`);
      return found;
    });
    out(await dumpData(readFormat(values.format) ?? 'json', models, { indent: values.indent ? Number(values.indent) : undefined }));
  },
});

const loaddata = defineCommand({
  help: 'load objects from a file (insert or update by key)\nin one transaction',
  usage: '<file> [--format json|xml]',
  options: { format: formatOption },
  maxPositionals: 1,
  async run({ values, positionals, out }) {
    const file = positionals[0];
    if (!file) throw new CommandError('loaddata needs a file: paddock-runtime loaddata data.json', { usage: true });
    const { loadData } = await import('../serializers/index.js');
    const format = readFormat(values.format) ?? (file.endsWith('.xml') ? 'xml' : 'json');
    out(`Installed ${await loadData(format, readFileSync(file, 'utf8'))} objects.`);
  },
});

/** The apps a catalogue command works on: the site's own (inside its folder), or those named with --app. */
function catalogApps(site: Site, named: readonly string[] | undefined): AppConfig[] {
  const inside = (dir: string) => dir === site.dir || dir.startsWith(site.dir + sep);
  if (!named?.length) return site.apps.filter((a) => inside(a.dir));
  return named.filter((n) => n !== 'runtime' && n !== 'site').map((label) => {
    const found = site.apps.find((a) => a.label === label);
    if (!found) throw new CommandError(`No app '${label}' in this site. Its apps are: ${site.apps.map((a) => a.label).join(', ')} (and 'site', 'runtime').`, { usage: true });
    return found;
  });
}

const appOption = {
  type: 'string', multiple: true, placeholder: 'LABEL',
  description: "only this app (repeat for more); 'site' for the site's own\nlocale/ folder, 'runtime' for the runtime's catalogue",
} as const;

const makemessages = defineCommand({
  help: "extract the messages marked for translation into each of\nthe site's apps' locale/<lang>/LC_MESSAGES/messages.po\n(and the site's own into LOCALE_PATHS[0])",
  usage: '-l LANG [-l LANG ...] | --all  [--app LABEL ...] [--add-location full|file|never]',
  options: {
    locale: { type: 'string', short: 'l', multiple: true, placeholder: 'LANG', description: 'a language to write (fr, de, pt_BR; repeat for more)' },
    all: { type: 'boolean', default: false, description: 'every language the catalogues already have' },
    app: appOption,
    'add-location': { type: 'string', placeholder: 'full|file|never', description: 'references as file:line (default), file, or none' },
  },
  database: false,
  async run({ site, values, out }) {
    const { makeMessages, RUNTIME_LOCALE_DIR, runtimeSourceDir } = await import('../i18n/commands.js');
    const named = values.app;
    const apps = catalogApps(site, named);
    const appDirs = site.apps.map((a) => a.dir);
    const targets = apps.map((a) => ({
      label: a.label, localeDir: join(a.dir, 'locale'), sourceDirs: [a.dir], templateDirs: [join(a.dir, 'templates')],
      exclude: appDirs.filter((d) => d !== a.dir && d.startsWith(a.dir + sep)), root: a.dir,
    }));
    if (!named?.length || named.includes('site')) {
      const localePath = site.settings.LOCALE_PATHS[0];
      if (!localePath) out("site: LOCALE_PATHS is empty, so the messages of the site's own files (outside its apps) are not collected.");
      else targets.push({
        label: 'site', localeDir: resolve(site.dir, localePath), sourceDirs: [site.dir], templateDirs: site.settings.TEMPLATES.flatMap((t) => t.DIRS).map((d) => resolve(site.dir, d)),
        exclude: [...appDirs, ...site.settings.TEMPLATES.flatMap((t) => t.DIRS).map((d) => resolve(site.dir, d))], root: site.dir,
      });
    }
    if (named?.includes('runtime')) {
      const src = runtimeSourceDir();
      targets.push({ label: 'runtime', localeDir: RUNTIME_LOCALE_DIR, sourceDirs: [src], templateDirs: [], exclude: [join(src, 'contrib')], root: src });
    }
    const addLocation = values['add-location'] ?? 'full';
    if (addLocation !== 'full' && addLocation !== 'file' && addLocation !== 'never') {
      throw new CommandError(`--add-location must be full, file or never, not '${addLocation}'.`, { usage: true });
    }
    const engine = site.templates;
    await makeMessages({
      addLocation,
      targets, languages: values.locale ?? [], all: values.all ?? false, log: out,
      ...(engine.messages ? { templateMessages: (source: string) => (engine.messages as (s: string) => TemplateMessage[])(source) } : {}),
    });
  },
});

const compilemessages = defineCommand({
  help: "compile the site's messages.po files into the messages.json\nthe runtime loads (checking every translation)",
  usage: '[-l LANG ...] [--app LABEL ...]',
  options: {
    locale: { type: 'string', short: 'l', multiple: true, placeholder: 'LANG', description: 'only this language (repeat for more)' },
    app: appOption,
  },
  database: false,
  async run({ site, values, out }) {
    const { compileMessages, RUNTIME_LOCALE_DIR } = await import('../i18n/commands.js');
    const named = values.app;
    const dirs = catalogApps(site, named).map((a) => join(a.dir, 'locale'));
    if (!named?.length || named.includes('site')) dirs.unshift(...site.settings.LOCALE_PATHS.map((d) => resolve(site.dir, d)));
    if (named?.includes('runtime')) dirs.push(RUNTIME_LOCALE_DIR);
    const written = compileMessages({ localeDirs: dirs, languages: values.locale, log: out });
    if (!written.length) out('No messages.po found to compile. Run makemessages -l <lang> first.');
  },
});

const test = defineCommand({
  help: 'run the site\'s tests (tests.ts, test_*.ts, *.test.ts)\non a test database made for the run',
  usage: '[app | folder | file ...] [--name PATTERN] [--parallel N]',
  maxPositionals: Infinity,
  options: {
    name: { type: 'string', short: 'k', placeholder: 'PATTERN', description: 'only tests whose name matches (a regular expression)' },
    parallel: { type: 'string', placeholder: 'N', description: 'test files run at once (default: one per CPU but one)' },
    reporter: { type: 'string', placeholder: 'spec|tap|dot', description: 'how results are printed (default: spec)' },
  },
  // The run makes its own test databases; the site's (the dev database included) are never opened.
  database: false,
  async run({ site, values, positionals, out }) {
    const parallel = values.parallel === undefined ? undefined : Number(values.parallel);
    if (parallel !== undefined && (!Number.isInteger(parallel) || parallel < 1)) throw new CommandError(`--parallel ${values.parallel} is not a positive whole number.`, { usage: true });
    const { runTests } = await import('../test/runner.js');
    return runTests(site, { labels: positionals, name: values.name, parallel, reporter: values.reporter, out });
  },
});

export const runtimeCommands: Readonly<Record<string, CommandEntry>> = {
  check, collectstatic, makemigrations, migrate, showmigrations, sqlmigrate, shell, dumpdata, loaddata, makemessages, compilemessages, test,
} as Readonly<Record<string, Command>>;
