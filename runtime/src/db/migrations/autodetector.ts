// Diffs two migration states into operations per app: created and deleted models, added, removed, altered
// and renamed fields (a removed and an added field with the same definition are a rename), indexes, constraints.
import type { FieldSpec } from '../fields.js';
import type { ModelState, Operation, ProjectState } from './state.js';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const appOf = (label: string): string => label.split('.')[0] as string;
const refs = (f: FieldSpec): string[] => [f.options.to, f.options.through].filter((x): x is string => typeof x === 'string');
/**
 * The models that must exist before this field's SQL runs. A many-to-many with a `through` model creates nothing
 * itself (the through model's foreign keys do), so it orders nothing: the through model points at the declaring
 * model and so comes after it, not before.
 */
const needs = (f: FieldSpec): string[] => (f.type === 'manyToMany' && typeof f.options.through === 'string' ? [] : refs(f));

export interface Change { app: string; operations: Operation[]; dependsOn: Set<string> }

/** Operations that take `from` to `to` for the given apps, each with the apps it depends on (for FK targets). */
export function detectChanges(from: ProjectState, to: ProjectState, apps: string[]): Map<string, Change> {
  const out = new Map<string, Change>();
  const change = (app: string): Change => {
    let c = out.get(app);
    if (!c) { c = { app, operations: [], dependsOn: new Set() }; out.set(app, c); }
    return c;
  };
  const inApps = (label: string) => apps.includes(appOf(label));
  const noteRefs = (app: string, f: FieldSpec) => { for (const r of refs(f)) if (appOf(r) !== app) change(app).dependsOn.add(appOf(r)); };

  // Created models, those an app's other new models point at first.
  const created = Object.keys(to).filter((l) => inApps(l) && !from[l]);
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (label: string) => {
    if (ordered.includes(label) || visiting.has(label)) return;
    visiting.add(label);
    for (const f of Object.values((to[label] as ModelState).fields)) for (const r of needs(f)) if (created.includes(r) && r !== label) visit(r);
    ordered.push(label);
  };
  created.sort().forEach(visit);
  for (const label of ordered) {
    const m = to[label] as ModelState;
    const app = appOf(label);
    // A many-to-many to a model created later in the same run is added once both exist.
    const later = (f: FieldSpec) => f.type === 'manyToMany' && needs(f).some((r) => created.includes(r) && ordered.indexOf(r) > ordered.indexOf(label));
    const fields = Object.fromEntries(Object.entries(m.fields).filter(([, f]) => !later(f)));
    change(app).operations.push({ op: 'createModel', model: label, table: m.table, fields, indexes: m.indexes, constraints: m.constraints });
    for (const f of Object.values(m.fields)) noteRefs(app, f);
  }
  for (const label of ordered) {
    const m = to[label] as ModelState;
    for (const [name, f] of Object.entries(m.fields)) {
      const op = change(appOf(label)).operations.find((o) => o.op === 'createModel' && o.model === label);
      if (op && op.op === 'createModel' && !op.fields[name]) change(appOf(label)).operations.push({ op: 'addField', model: label, name, field: f });
    }
  }

  for (const label of Object.keys(to).filter((l) => inApps(l) && from[l]).sort()) {
    const a = from[label] as ModelState;
    const b = to[label] as ModelState;
    const app = appOf(label);
    const ops: Operation[] = [];
    const removed = Object.keys(a.fields).filter((n) => !b.fields[n]);
    const added = Object.keys(b.fields).filter((n) => !a.fields[n]);
    for (const n of [...added]) {
      const spec = b.fields[n] as FieldSpec;
      const match = removed.find((r) => {
        const old = a.fields[r] as FieldSpec;
        return old.type === spec.type && same(old.options, spec.options);
      });
      if (match) {
        ops.push({ op: 'renameField', model: label, from: match, to: n, column: spec.column });
        removed.splice(removed.indexOf(match), 1);
        added.splice(added.indexOf(n), 1);
      }
    }
    for (const ix of a.indexes) if (!b.indexes.some((x) => same(x, ix))) ops.push({ op: 'removeIndex', model: label, name: ix.name });
    for (const c of a.constraints) if (!b.constraints.some((x) => same(x, c))) ops.push({ op: 'removeConstraint', model: label, name: c.name });
    for (const n of removed) ops.push({ op: 'removeField', model: label, name: n });
    for (const n of added) { ops.push({ op: 'addField', model: label, name: n, field: b.fields[n] as FieldSpec }); noteRefs(app, b.fields[n] as FieldSpec); }
    for (const [n, spec] of Object.entries(b.fields)) {
      const old = a.fields[n];
      if (old && !added.includes(n) && !same(old, spec)) { ops.push({ op: 'alterField', model: label, name: n, field: spec }); noteRefs(app, spec); }
    }
    for (const ix of b.indexes) if (!a.indexes.some((x) => same(x, ix))) ops.push({ op: 'addIndex', model: label, index: ix });
    for (const c of b.constraints) if (!a.constraints.some((x) => same(x, c))) ops.push({ op: 'addConstraint', model: label, constraint: c });
    if (ops.length) change(app).operations.push(...ops);
  }

  // Deleted models: dependants (models pointing at them) go first.
  const deleted = Object.keys(from).filter((l) => inApps(l) && !to[l]).sort();
  const pointsAt = (x: string, y: string) => Object.values((from[x] as ModelState).fields).some((f) => refs(f).includes(y));
  deleted.sort((x, y) => (pointsAt(x, y) ? -1 : pointsAt(y, x) ? 1 : 0));
  for (const label of deleted) change(appOf(label)).operations.push({ op: 'deleteModel', model: label });

  for (const [app, c] of out) if (c.operations.length === 0) out.delete(app);
  return out;
}

/** A short name for a migration from its operations ("post_summary", "tag", "auto"). */
export function suggestName(ops: Operation[], initial: boolean): string {
  if (initial) return 'initial';
  const words = ops.map((o) => {
    const model = 'model' in o ? (o.model.split('.')[1] as string).toLowerCase() : '';
    switch (o.op) {
      case 'createModel': return model;
      case 'deleteModel': return `delete_${model}`;
      case 'addField': return `${model}_${o.name.toLowerCase()}`;
      case 'removeField': return `remove_${model}_${o.name.toLowerCase()}`;
      case 'alterField': return `alter_${model}_${o.name.toLowerCase()}`;
      case 'renameField': return `rename_${model}_${o.to.toLowerCase()}`;
      default: return `${o.op.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
    }
  });
  const name = words.join('_').replace(/[^a-z0-9_]/g, '');
  return name.length > 40 || name === '' ? 'auto' : name;
}
