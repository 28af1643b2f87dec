// Migration state: a JSON description of every model's table (fields, indexes, constraints), built from the
// registered models or by replaying migration operations; the autodetector diffs two of these.
import { createHash } from 'node:crypto';
import { Compiler, throughInfo } from '../compiler.js';
import { MigrationError } from '../../errors.js';
import { Q } from '../expressions.js';
import { ManyToManyField, type FieldSpec } from '../fields.js';
import type { AnyModelClass } from '../model.js';
import { inlineLiterals } from './literals.js';

export interface IndexState { name: string; columns: string[]; unique?: boolean }
export interface ConstraintState { name: string; type: 'check' | 'unique'; columns?: string[]; check?: string }

export interface ModelState {
  label: string;
  table: string;
  fields: Record<string, FieldSpec>;
  indexes: IndexState[];
  constraints: ConstraintState[];
}

export type ProjectState = Record<string, ModelState>;

export type Operation =
  | { op: 'createModel'; model: string; table: string; fields: Record<string, FieldSpec>; indexes?: IndexState[]; constraints?: ConstraintState[] }
  | { op: 'deleteModel'; model: string }
  | { op: 'addField'; model: string; name: string; field: FieldSpec }
  | { op: 'removeField'; model: string; name: string }
  | { op: 'alterField'; model: string; name: string; field: FieldSpec }
  | { op: 'renameField'; model: string; from: string; to: string; column?: string }
  | { op: 'addIndex'; model: string; index: IndexState }
  | { op: 'removeIndex'; model: string; name: string }
  | { op: 'addConstraint'; model: string; constraint: ConstraintState }
  | { op: 'removeConstraint'; model: string; name: string }
  | { op: 'runSql'; sql: string | string[]; reverseSql?: string | string[] }
  | { op: 'runCode'; forward: (ctx: MigrationContext) => unknown; backward?: (ctx: MigrationContext) => unknown };

/** What a data migration's code step receives. */
export interface MigrationContext {
  /** The model as it was at this point of the migrations (not the current class). */
  model(label: string): AnyModelClass;
  /** Raw SQL on the migration's database and transaction. */
  rawQuery(text: string, params?: readonly unknown[]): Promise<Array<Record<string, unknown>>>;
  using: string;
  log(line: string): void;
}

/** Postgres identifiers stop at 63 bytes: long generated names keep a hash of the full one. */
export function makeName(table: string, columns: string[], suffix: string): string {
  const full = `${table}_${columns.join('_')}_${suffix}`;
  if (full.length <= 63) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, 63 - suffix.length - 10)}_${hash}_${suffix}`;
}

export function stateFromModels(models: AnyModelClass[]): ProjectState {
  const out: ProjectState = {};
  for (const m of models) {
    const meta = m._meta;
    if (!meta.managed) continue;
    const fields: Record<string, FieldSpec> = {};
    for (const f of meta.fields) {
      const spec = f.deconstruct();
      if (f instanceof ManyToManyField) {
        const th = throughInfo(f);
        if (!th.model) {
          const target = f.related();
          Object.assign(spec.options, {
            throughTable: th.table, sourceColumn: th.sourceColumn, targetColumn: th.targetColumn,
            sourceTable: meta.table, sourceKey: meta.pk.column, sourceType: meta.pk.type === 'auto' ? 'bigint' : meta.pk.dbType(),
            toTable: target._meta.table, toColumn: target._meta.pk.column,
            dbType: target._meta.pk.type === 'auto' ? 'bigint' : target._meta.pk.dbType(),
          });
        }
      } else {
        spec.options.dbType = f.type === 'auto' ? 'bigint' : f.dbType();
      }
      fields[f.name] = spec;
    }
    const col = (name: string) => meta.field(name).column;
    const indexes: IndexState[] = meta.indexes.map((ix) => {
      const columns = ix.fields.map((n) => (n.startsWith('-') ? `${col(n.slice(1))} desc` : col(n)));
      return { name: ix.name ?? makeName(meta.table, columns.map((c) => c.replace(' desc', '')), ix.unique ? 'uniq' : 'idx'), columns, ...(ix.unique ? { unique: true } : {}) };
    });
    const constraints: ConstraintState[] = meta.uniqueTogether.map((names) => {
      const columns = names.map(col);
      return { name: makeName(meta.table, columns, 'uniq'), type: 'unique', columns };
    });
    for (const c of meta.constraints) {
      if (!/^[a-z_][a-z0-9_]*$/.test(c.name) || c.name.length > 63) throw new MigrationError(`${meta.label}: constraint name "${c.name}" must be lower-case letters, digits and _.`);
      if (c.type === 'unique') constraints.push({ name: c.name, type: 'unique', columns: (c.fields ?? []).map(col) });
      else constraints.push({ name: c.name, type: 'check', check: checkSql(m, c.check) });
    }
    out[meta.label] = { label: meta.label, table: meta.table, fields, indexes, constraints };
  }
  return out;
}

/** A check constraint's condition as SQL text with its values written as literals (DDL takes no parameters). */
function checkSql(model: AnyModelClass, check: unknown): string {
  if (!check) throw new MigrationError(`${model._meta.label}: a check constraint needs check: { field__gte: 0 } (or a Q).`);
  const c = new Compiler(model, 't');
  c.bare = true;
  const q = check instanceof Q ? check : new Q([check as Record<string, unknown>]);
  const expr = c.where(q);
  if (c.joins.length) throw new MigrationError(`${model._meta.label}: check constraints can only use the model's own fields.`);
  return inlineLiterals(expr);
}

const clone = <T>(v: T): T => structuredClone(v);

/** Applies one operation to a state (returns a new state). */
export function applyOperation(state: ProjectState, op: Operation): ProjectState {
  const next = { ...state };
  const model = (label: string): ModelState => {
    const m = next[label];
    if (!m) throw new MigrationError(`Migration refers to ${label}, which does not exist at that point; check the dependencies.`);
    return (next[label] = clone(m));
  };
  switch (op.op) {
    case 'createModel':
      next[op.model] = { label: op.model, table: op.table, fields: clone(op.fields), indexes: clone(op.indexes ?? []), constraints: clone(op.constraints ?? []) };
      break;
    case 'deleteModel': model(op.model); delete next[op.model]; break;
    case 'addField': model(op.model).fields[op.name] = clone(op.field); break;
    case 'alterField': model(op.model).fields[op.name] = clone(op.field); break;
    case 'removeField': delete model(op.model).fields[op.name]; break;
    case 'renameField': {
      const m = model(op.model);
      const fields: Record<string, FieldSpec> = {};
      for (const [k, v] of Object.entries(m.fields)) {
        if (k === op.from) fields[op.to] = { ...v, column: op.column ?? v.column };
        else fields[k] = v;
      }
      m.fields = fields;
      break;
    }
    case 'addIndex': model(op.model).indexes.push(clone(op.index)); break;
    case 'removeIndex': { const m = model(op.model); m.indexes = m.indexes.filter((i) => i.name !== op.name); break; }
    case 'addConstraint': model(op.model).constraints.push(clone(op.constraint)); break;
    case 'removeConstraint': { const m = model(op.model); m.constraints = m.constraints.filter((c) => c.name !== op.name); break; }
    case 'runSql': case 'runCode': break;
  }
  return next;
}
