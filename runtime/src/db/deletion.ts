// Deleting objects: collects what onDelete rules reach (cascade, protect, restrict, setNull, setDefault, doNothing),
// then sends preDelete, writes, and sends postDelete, all in one transaction.
import { sql } from 'kysely';
import { execute } from './connections.js';
import { ProtectedError } from '../errors.js';
import { ForeignKey } from './fields.js';
import { STATE, param, type AnyInstance, type AnyModelClass } from './model.js';
import { postDelete, preDelete } from './signals.js';
import { atomic } from './transactions.js';

/** How many rows a delete removed, in all and per model (cascades included). */
export interface DeleteResult { total: number; perModel: Record<string, number> }

/** True when rows can go with one DELETE: nothing points at the model and nobody listens for its deletes. */
export function canFastDelete(model: AnyModelClass): boolean {
  if (preDelete.hasReceivers(model) || postDelete.hasReceivers(model)) return false;
  return model._meta.relatedObjects().every((r) => !(r.field instanceof ForeignKey) || r.field.onDelete === 'doNothing');
}

interface Batch { model: AnyModelClass; objs: Map<string, AnyInstance> }
interface FieldUpdate { field: ForeignKey; model: AnyModelClass; pks: unknown[]; value: unknown }

export async function deleteObjects(model: AnyModelClass, objs: AnyInstance[], alias: string): Promise<DeleteResult> {
  if (objs.length === 0) return { total: 0, perModel: {} };
  return atomic(async () => {
    const batches: Batch[] = [];
    const byLabel = new Map<string, Batch>();
    const updates: FieldUpdate[] = [];
    const add = (m: AnyModelClass, list: AnyInstance[]): AnyInstance[] => {
      let b = byLabel.get(m._meta.label);
      if (!b) {
        b = { model: m, objs: new Map() };
        byLabel.set(m._meta.label, b);
        batches.push(b);
      }
      const fresh: AnyInstance[] = [];
      for (const o of list) {
        const k = String(o.pk);
        if (!b.objs.has(k)) { b.objs.set(k, o); fresh.push(o); }
      }
      return fresh;
    };
    const queue: Array<{ model: AnyModelClass; objs: AnyInstance[] }> = [{ model, objs: add(model, objs) }];
    while (queue.length) {
      const { model: m, objs: list } = queue.shift() as { model: AnyModelClass; objs: AnyInstance[] };
      if (list.length === 0) continue;
      for (const rel of m._meta.relatedObjects()) {
        if (!(rel.field instanceof ForeignKey) || rel.field.onDelete === 'doNothing') continue;
        const fk = rel.field;
        const keys = list.map((o) => (o as Record<string, unknown>)[fk.targetField().attname]);
        const related = await rel.model.objects.using(alias).orderBy().filter({ [`${fk.name}__in`]: keys }).fetch();
        if (related.length === 0) continue;
        switch (fk.onDelete) {
          case 'cascade': queue.push({ model: rel.model, objs: add(rel.model, related) }); break;
          case 'protect':
          case 'restrict': {
            // restrict (unlike protect) allows the delete when the referencing rows are being deleted anyway.
            const pending = byLabel.get(rel.model._meta.label);
            const blocking = fk.onDelete === 'restrict' ? related.filter((r) => !pending?.objs.has(String(r.pk))) : related;
            if (blocking.length) {
              throw new ProtectedError(`Cannot delete ${m._meta.label}: ${blocking.length} ${rel.model._meta.label} object(s) refer to it through ${fk.name} (onDelete: '${fk.onDelete}'). Delete or re-point them first.`, blocking);
            }
            break;
          }
          case 'setNull': updates.push({ field: fk, model: rel.model, pks: related.map((r) => r.pk), value: null }); break;
          case 'setDefault': updates.push({ field: fk, model: rel.model, pks: related.map((r) => r.pk), value: fk.getDefault() ?? null }); break;
        }
      }
    }
    for (const b of batches) for (const o of b.objs.values()) await preDelete.send({ sender: b.model, instance: o, using: alias });
    for (const u of updates) {
      const meta = u.model._meta;
      const doomed = byLabel.get(meta.label);
      const pks = u.pks.filter((pk) => !doomed?.objs.has(String(pk)));
      if (!pks.length) continue;
      await execute(alias, sql`update ${sql.id(meta.table)} set ${sql.id(u.field.column)} = ${param(u.field, u.value)} where ${sql.id(meta.pk.column)} in (${sql.join(pks.map((pk) => param(meta.pk, pk)))})`);
    }
    const perModel: Record<string, number> = {};
    let total = 0;
    // Dependants were collected after what they point at: delete them first.
    for (const b of [...batches].reverse()) {
      const meta = b.model._meta;
      const pks = [...b.objs.values()].map((o) => param(meta.pk, o.pk));
      let n = 0;
      for (let i = 0; i < pks.length; i += 10000) {
        const res = await execute(alias, sql`delete from ${sql.id(meta.table)} where ${sql.id(meta.pk.column)} in (${sql.join(pks.slice(i, i + 10000))})`);
        n += Number(res.numAffectedRows ?? 0n);
      }
      if (n) perModel[meta.label] = (perModel[meta.label] ?? 0) + n;
      total += n;
    }
    for (const b of batches) {
      for (const o of b.objs.values()) {
        await postDelete.send({ sender: b.model, instance: o, using: alias });
        o[STATE] = { adding: true, db: undefined };
      }
    }
    return { total, perModel };
  }, { using: alias });
}
