// The migration commands as functions (paddock-runtime makemigrations / migrate / showmigrations / sqlmigrate call these):
// migration files are loaded by basename (.ts in development, .js once compiled), ordered by their dependencies,
// applied one transaction each under an advisory lock, and recorded in the paddock_migrations table.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CompiledQuery } from 'kysely';
import { allowMigrate, execute } from '../connections.js';
import { MigrationError } from '../../errors.js';
import { fieldFromSpec, type Field } from '../fields.js';
import { model as defineModel, registry, Registry, type AnyModelClass, type FieldDefs } from '../model.js';
import { atomic } from '../transactions.js';
import { detectChanges, suggestName } from './autodetector.js';
import { backwardSql, forwardSql, q } from './schema.js';
import { applyOperation, stateFromModels, type MigrationContext, type Operation, type ProjectState } from './state.js';

export interface AppRef { label: string; dir: string }

export interface MigrationFile {
  dependencies?: Array<[string, string]>;
  operations: Operation[];
  /** false: run without a transaction (e.g. CREATE INDEX CONCURRENTLY). */
  atomic?: boolean;
}

export interface LoadedMigration { app: string; name: string; key: string; file: string; migration: MigrationFile }

export interface CommandOptions {
  apps: AppRef[];
  database?: string | undefined;
  log?: ((line: string) => void) | undefined;
}

const FILE = /^(\d{4}_[A-Za-z0-9_]+)\.(ts|mts|js|mjs)$/;
const HISTORY = 'paddock_migrations';

/** Migration files of every app, by basename: a compiled .js stands in for its .ts. */
export async function loadMigrations(apps: AppRef[]): Promise<LoadedMigration[]> {
  const out: LoadedMigration[] = [];
  const preferTs = import.meta.url.endsWith('.ts');
  for (const app of apps) {
    const dir = join(app.dir, 'migrations');
    if (!existsSync(dir)) continue;
    const byName = new Map<string, string>();
    for (const f of readdirSync(dir).sort()) {
      const m = FILE.exec(f);
      if (!m || f.endsWith('.d.ts')) continue;
      const name = m[1] as string;
      const isTs = m[2] === 'ts' || m[2] === 'mts';
      const prev = byName.get(name);
      if (!prev || (preferTs ? isTs : !isTs)) byName.set(name, f);
    }
    for (const [name, f] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
      const file = join(dir, f);
      const mod = (await import(pathToFileURL(file).href)) as { default?: MigrationFile & { default?: MigrationFile } };
      // A .ts file outside a "type": "module" package is loaded as CommonJS: its default export arrives nested.
      const migration = mod.default && !Array.isArray(mod.default.operations) ? mod.default.default : mod.default;
      if (!migration || !Array.isArray(migration.operations)) throw new MigrationError(`${file} must export default { dependencies, operations }.`);
      out.push({ app: app.label, name, key: `${app.label}.${name}`, file, migration });
    }
  }
  return out;
}

/** Every migration in an order that respects dependencies (and, within an app, numbering). */
export function plan(all: LoadedMigration[]): LoadedMigration[] {
  const byKey = new Map(all.map((m) => [m.key, m]));
  const deps = (m: LoadedMigration): string[] => {
    const list = (m.migration.dependencies ?? []).map(([a, n]) => `${a}.${n}`);
    const prev = all.filter((x) => x.app === m.app && x.name < m.name).pop();
    if (prev) list.push(prev.key);
    return list;
  };
  const ordered: LoadedMigration[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (m: LoadedMigration, chain: string[]) => {
    const s = state.get(m.key);
    if (s === 'done') return;
    if (s === 'visiting') throw new MigrationError(`Circular migration dependencies: ${[...chain, m.key].join(' -> ')}.`);
    state.set(m.key, 'visiting');
    for (const d of deps(m)) {
      const dep = byKey.get(d);
      if (!dep) throw new MigrationError(`${m.key} depends on ${d}, which does not exist. Is that app in the site's apps?`);
      visit(dep, [...chain, m.key]);
    }
    state.set(m.key, 'done');
    ordered.push(m);
  };
  for (const m of all) visit(m, []);
  return ordered;
}

export function stateOf(migrations: LoadedMigration[]): ProjectState {
  let state: ProjectState = {};
  for (const m of migrations) for (const op of m.migration.operations) state = applyOperation(state, op);
  return state;
}

// ---------------------------------------------------------------- makemigrations

export interface MakeMigrationsOptions extends CommandOptions {
  name?: string | undefined;
  /** Only these app labels (default: all given apps). */
  app?: string | undefined;
  /** Report what would be written without writing. */
  dryRun?: boolean;
}

/** Writes `<app dir>/migrations/NNNN_name.ts` for each app whose models changed; returns the files written. */
export async function makeMigrations(opts: MakeMigrationsOptions): Promise<string[]> {
  const log = opts.log ?? (() => {});
  const loaded = plan(await loadMigrations(opts.apps));
  const from = stateOf(loaded);
  const labels = opts.app ? [opts.app] : opts.apps.map((a) => a.label);
  const models = labels.flatMap((l) => registry.forApp(l));
  const to = stateFromModels(models);
  // Models of apps not being considered stay as their migrations left them.
  for (const [label, s] of Object.entries(from)) if (!labels.includes(label.split('.')[0] as string)) to[label] = s;
  const changes = detectChanges(from, to, labels);
  const written: string[] = [];
  const leaf = (app: string): string | undefined => loaded.filter((m) => m.app === app).map((m) => m.name).sort().pop();
  const newNames = new Map<string, string>();
  for (const app of labels) {
    const c = changes.get(app);
    if (!c) continue;
    const existing = loaded.filter((m) => m.app === app);
    const last = existing.map((m) => Number(m.name.slice(0, 4))).sort((a, b) => a - b).pop() ?? 0;
    const name = `${String(last + 1).padStart(4, '0')}_${sanitizeName(opts.name ?? suggestName(c.operations, existing.length === 0))}`;
    newNames.set(app, name);
  }
  for (const app of labels) {
    const c = changes.get(app);
    const name = newNames.get(app);
    if (!c || !name) continue;
    const deps: Array<[string, string]> = [];
    const prev = leaf(app);
    if (prev) deps.push([app, prev]);
    for (const other of [...c.dependsOn].sort()) {
      const target = newNames.get(other) ?? leaf(other);
      if (target) deps.push([other, target]);
    }
    const ref = opts.apps.find((a) => a.label === app) as AppRef;
    const dir = join(ref.dir, 'migrations');
    const file = join(dir, `${name}.ts`);
    if (!opts.dryRun) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, renderMigration(deps, c.operations));
    }
    log(`${app}: ${opts.dryRun ? 'would write' : 'wrote'} ${file}`);
    for (const op of c.operations) log(`  - ${describeOp(op)}`);
    written.push(file);
  }
  if (written.length === 0) log('No changes detected.');
  return written;
}

function sanitizeName(n: string): string {
  const s = n.replace(/[^A-Za-z0-9_]/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '');
  if (!s) throw new MigrationError(`Migration name "${n}" has no letters or digits.`);
  return s.slice(0, 60);
}

function renderMigration(deps: Array<[string, string]>, ops: Operation[]): string {
  const body = JSON.stringify({ dependencies: deps, operations: ops }, null, 2);
  return `// Generated by paddock-runtime makemigrations. Safe to edit: add data migration steps as\n`
    + `// { op: 'runCode', forward: async (ctx) => { const Post = ctx.model('blog.Post'); ... }, backward?: ... }.\n`
    + `export default ${body};\n`;
}

export function describeOp(op: Operation): string {
  switch (op.op) {
    case 'createModel': return `Create model ${op.model}`;
    case 'deleteModel': return `Delete model ${op.model}`;
    case 'addField': return `Add field ${op.name} to ${op.model}`;
    case 'removeField': return `Remove field ${op.name} from ${op.model}`;
    case 'alterField': return `Alter field ${op.name} on ${op.model}`;
    case 'renameField': return `Rename field ${op.from} on ${op.model} to ${op.to}`;
    case 'addIndex': return `Create index ${op.index.name} on ${op.model}`;
    case 'removeIndex': return `Remove index ${op.name} from ${op.model}`;
    case 'addConstraint': return `Create constraint ${op.constraint.name} on ${op.model}`;
    case 'removeConstraint': return `Remove constraint ${op.name} from ${op.model}`;
    case 'runSql': return 'Raw SQL operation';
    case 'runCode': return 'Code operation (data migration)';
  }
}

// ---------------------------------------------------------------- migrate

async function ensureHistory(alias: string): Promise<void> {
  await execute(alias, CompiledQuery.raw(`create table if not exists ${q(HISTORY)} (${q('id')} bigint generated by default as identity primary key, ${q('app')} varchar(255) not null, ${q('name')} varchar(255) not null, ${q('applied')} timestamp with time zone not null default now())`));
}

async function appliedKeys(alias: string): Promise<Set<string>> {
  await ensureHistory(alias);
  const { rows } = await execute<{ app: string; name: string }>(alias, CompiledQuery.raw(`select ${q('app')}, ${q('name')} from ${q(HISTORY)}`));
  return new Set(rows.map((r) => `${r.app}.${r.name}`));
}

export interface MigrateOptions extends CommandOptions {
  /** With target: the app to move to that migration. */
  app?: string | undefined;
  /** A migration name (or its 4-digit prefix) of `app`, or 'zero' to unapply all of it. */
  target?: string | undefined;
  /** Record migrations as applied without running them. */
  fake?: boolean;
}

/** Applies unapplied migrations (or moves `app` forwards/backwards to `target`); returns the keys applied or unapplied. */
export async function migrate(opts: MigrateOptions): Promise<{ applied: string[]; unapplied: string[] }> {
  const alias = opts.database ?? 'default';
  const log = opts.log ?? (() => {});
  const all = plan(await loadMigrations(opts.apps));
  const done: { applied: string[]; unapplied: string[] } = { applied: [], unapplied: [] };
  // One migrator at a time per database: a second release phase waits here instead of racing.
  await atomic(async () => {
    await execute(alias, CompiledQuery.raw('select pg_advisory_xact_lock(7263514091)'));
    const applied = await appliedKeys(alias);
    let goal: Set<string>;
    if (opts.app && opts.target) {
      const appMigs = all.filter((m) => m.app === opts.app);
      if (opts.target === 'zero') goal = new Set(all.filter((m) => applied.has(m.key) && m.app !== opts.app).map((m) => m.key));
      else {
        const t = appMigs.find((m) => m.name === opts.target || m.name.startsWith(`${opts.target}_`));
        if (!t) throw new MigrationError(`${opts.app} has no migration "${opts.target}". Run showmigrations to list them.`);
        const keep = new Set(appMigs.filter((m) => m.name <= t.name).map((m) => m.key));
        goal = new Set([...applied].filter((k) => !k.startsWith(`${opts.app}.`) || keep.has(k)));
        for (const k of closure(all, t.key)) goal.add(k);
      }
      // Whatever depends on an unapplied migration goes too.
      let changed = true;
      while (changed) {
        changed = false;
        for (const m of all) {
          if (!goal.has(m.key)) continue;
          const deps = depsOf(all, m);
          if (deps.some((d) => !goal.has(d))) { goal.delete(m.key); changed = true; }
        }
      }
    } else if (opts.app) {
      goal = new Set([...applied, ...all.filter((m) => m.app === opts.app).flatMap((m) => [...closure(all, m.key)])]);
    } else {
      goal = new Set([...applied, ...all.map((m) => m.key)]);
    }
    const backwards = [...all].reverse().filter((m) => applied.has(m.key) && !goal.has(m.key));
    for (const m of backwards) {
      if (!allowMigrate(alias, m.app)) continue;
      log(`Unapplying ${m.key}...`);
      const before = stateOf(all.slice(0, all.indexOf(m)));
      await runMigration(m, before, alias, 'backward', opts.fake === true, log);
      await execute(alias, CompiledQuery.raw(`delete from ${q(HISTORY)} where ${q('app')} = $1 and ${q('name')} = $2`, [m.app, m.name]));
      done.unapplied.push(m.key);
    }
    for (const m of all) {
      if (applied.has(m.key) || !goal.has(m.key)) continue;
      if (!allowMigrate(alias, m.app)) continue;
      log(`Applying ${m.key}...`);
      const before = stateOf(all.slice(0, all.indexOf(m)));
      await runMigration(m, before, alias, 'forward', opts.fake === true, log);
      await execute(alias, CompiledQuery.raw(`insert into ${q(HISTORY)} (${q('app')}, ${q('name')}) values ($1, $2)`, [m.app, m.name]));
      done.applied.push(m.key);
    }
    if (!done.applied.length && !done.unapplied.length) log('No migrations to apply.');
  }, { using: alias });
  return done;
}

function depsOf(all: LoadedMigration[], m: LoadedMigration): string[] {
  const list = (m.migration.dependencies ?? []).map(([a, n]) => `${a}.${n}`);
  const prev = all.filter((x) => x.app === m.app && x.name < m.name).pop();
  if (prev) list.push(prev.key);
  return list;
}

function closure(all: LoadedMigration[], key: string): Set<string> {
  const out = new Set<string>();
  const walk = (k: string) => {
    if (out.has(k)) return;
    out.add(k);
    const m = all.find((x) => x.key === k);
    if (m) depsOf(all, m).forEach(walk);
  };
  walk(key);
  return out;
}

// Each migration runs in a savepoint of the migrate() transaction: a failure leaves nothing half-applied.
async function runMigration(m: LoadedMigration, before: ProjectState, alias: string, direction: 'forward' | 'backward', fake: boolean, log: (l: string) => void): Promise<void> {
  if (fake) return;
  await atomic(async () => {
    const ops = m.migration.operations;
    const states: ProjectState[] = [before];
    for (const op of ops) states.push(applyOperation(states[states.length - 1] as ProjectState, op));
    const order = direction === 'forward' ? ops.map((_, i) => i) : ops.map((_, i) => ops.length - 1 - i);
    for (const i of order) {
      const op = ops[i] as Operation;
      const pre = states[i] as ProjectState;
      const post = states[i + 1] as ProjectState;
      if (op.op === 'runCode') {
        const fn = direction === 'forward' ? op.forward : op.backward;
        if (!fn) {
          if (direction === 'backward') continue;
          throw new MigrationError(`${m.key}: a runCode step needs a forward function.`);
        }
        await fn(migrationContext(direction === 'forward' ? pre : post, alias, log));
        continue;
      }
      const statements = direction === 'forward' ? forwardSql(op, pre) : backwardSql(op, pre, post);
      for (const s of statements) await execute(alias, CompiledQuery.raw(s));
    }
  }, { using: alias });
}

function migrationContext(state: ProjectState, alias: string, log: (l: string) => void): MigrationContext {
  let reg: Registry | null = null;
  return {
    using: alias,
    log,
    model(label: string): AnyModelClass {
      reg ??= historicalRegistry(state);
      return reg.get(label);
    },
    async rawQuery(text, params = []) {
      return (await execute<Record<string, unknown>>(alias, CompiledQuery.raw(text, [...params]))).rows;
    },
  };
}

/** Model classes as the migration state describes them, in a registry of their own. */
export function historicalRegistry(state: ProjectState): Registry {
  const reg = new Registry();
  for (const m of Object.values(state)) {
    const defs: Record<string, Field> = {};
    for (const [name, spec] of Object.entries(m.fields)) defs[name] = fieldFromSpec(spec);
    defineModel(m.label, defs as FieldDefs, { dbTable: m.table }, reg);
  }
  return reg;
}

// ---------------------------------------------------------------- showmigrations / sqlmigrate

/** "[X] 0001_initial" lines per app (X = applied on the database). */
export async function showMigrations(opts: CommandOptions): Promise<string> {
  const alias = opts.database ?? 'default';
  const all = await loadMigrations(opts.apps);
  const applied = await appliedKeys(alias);
  const lines: string[] = [];
  for (const app of opts.apps) {
    lines.push(app.label);
    const mine = all.filter((m) => m.app === app.label);
    if (mine.length === 0) lines.push(' (no migrations)');
    for (const m of mine) lines.push(` [${applied.has(m.key) ? 'X' : ' '}] ${m.name}`);
  }
  return lines.join('\n');
}

/** The migrations `migrate` would apply (keys such as 'blog.0001_initial', in order); what `paddock dev` offers. */
export async function pendingMigrations(opts: CommandOptions): Promise<string[]> {
  const alias = opts.database ?? 'default';
  const all = plan(await loadMigrations(opts.apps));
  const applied = await appliedKeys(alias);
  return all.filter((m) => !applied.has(m.key) && allowMigrate(alias, m.app)).map((m) => m.key);
}

export interface SqlMigrateOptions extends CommandOptions { app: string; migration: string; backwards?: boolean }

/** The SQL a migration runs (statements separated by ";\n"); code steps show as comments. */
export async function sqlMigrate(opts: SqlMigrateOptions): Promise<string> {
  const all = plan(await loadMigrations(opts.apps));
  const m = all.find((x) => x.app === opts.app && (x.name === opts.migration || x.name.startsWith(`${opts.migration}_`)));
  if (!m) throw new MigrationError(`${opts.app} has no migration "${opts.migration}". Run showmigrations to list them.`);
  let state = stateOf(all.slice(0, all.indexOf(m)));
  const out: string[] = [];
  for (const op of m.migration.operations) {
    const next = applyOperation(state, op);
    out.push(`-- ${describeOp(op)}`);
    if (op.op === 'runCode') out.push('-- (runs code; no SQL to show)');
    else out.push(...(opts.backwards ? backwardSql(op, state, next) : forwardSql(op, state)).map((s) => `${s};`));
    state = next;
  }
  return out.join('\n');
}
