// Turns a QuerySet's state into SQL through Kysely's `sql` builder: every name is resolved against the models
// (anything else is a FieldError), every identifier goes through sql.id (quoted) and every value is a bound parameter.
import { sql, type RawBuilder } from 'kysely';
import { FieldError } from '../errors.js';
import { getCurrentTimezone } from '../timezone/timezone.js';
import { Aggregate, FieldRef, Q, type Lookups } from './expressions.js';
import {
  AutoField, BigIntegerField, CharField, DateField, DateTimeField, DecimalField, Field, FloatField, ForeignKey, IntegerField,
  ManyToManyField, TextField, snakeCase,
} from './fields.js';
import { param, type AnyModelClass, type RelatedObject } from './model.js';

export type Expr = RawBuilder<unknown>;
export type Annotation = Aggregate | FieldRef;

export interface QueryState {
  readonly where: readonly Q[];
  readonly order: readonly string[] | null;
  readonly limit: number | null;
  readonly offset: number;
  readonly distinct: boolean;
  readonly selectRelated: readonly string[] | true;
  readonly prefetch: readonly string[];
  readonly annotations: Readonly<Record<string, Annotation>>;
  readonly values: { readonly fields: readonly string[]; readonly mode: 'object' | 'list' | 'flat' } | null;
  readonly using: string | null;
}

export const emptyState: QueryState = {
  where: [], order: null, limit: null, offset: 0, distinct: false, selectRelated: [], prefetch: [], annotations: {}, values: null, using: null,
};

const TRANSFORMS = new Set(['year', 'month', 'day', 'hour', 'minute', 'second', 'weekDay', 'week_day', 'quarter', 'date']);
const LOOKUPS = new Set(['exact', 'iexact', 'contains', 'icontains', 'in', 'gt', 'gte', 'lt', 'lte', 'startswith', 'istartswith',
  'endswith', 'iendswith', 'isnull', 'range', 'regex', 'iregex']);
const isLookupName = (s: string | undefined): boolean => s !== undefined && (LOOKUPS.has(s) || TRANSFORMS.has(s));

/** The join table of a many-to-many field: automatic (`<table>_<field>`) or the `through` model's. */
export interface ThroughInfo { table: string; sourceColumn: string; targetColumn: string; model: AnyModelClass | null }

export function throughInfo(f: ManyToManyField): ThroughInfo {
  const source = f.modelLabel;
  const target = f.related();
  if (f.options.through) {
    const throughModel = target._meta.registry.resolve(typeof f.options.through === 'string' ? f.options.through : (f.options.through as AnyModelClass)._meta?.label ?? '', source);
    const fks = throughModel._meta.fields.filter((x): x is ForeignKey => x instanceof ForeignKey);
    const src = fks.find((x) => x.related()._meta.label === source);
    const dst = fks.find((x) => x !== src && x.related()._meta.label === target._meta.label);
    if (!src || !dst) throw new FieldError(`${source}.${f.name}: the through model ${throughModel._meta.label} needs foreign keys to ${source} and ${target._meta.label}.`);
    return { table: throughModel._meta.table, sourceColumn: src.column, targetColumn: dst.column, model: throughModel };
  }
  const sourceModel = target._meta.registry.get(source);
  const s = snakeCase(sourceModel._meta.modelName);
  const t = snakeCase(target._meta.modelName);
  const same = s === t;
  return {
    table: (f.options.dbTable as string | undefined) ?? `${sourceModel._meta.table}_${snakeCase(f.name)}`,
    sourceColumn: same ? `from_${s}_id` : `${s}_id`,
    targetColumn: same ? `to_${t}_id` : `${t}_id`,
    model: null,
  };
}

interface Resolved { expr: Expr; column: string; field: Field; model: AnyModelClass; rest: string[]; alias: string; multi: boolean }

export interface RelatedSelect { path: string[]; field: ForeignKey; model: AnyModelClass; prefix: string; parent: number }

const col = (alias: string, column: string): Expr => sql.id(alias, column) as Expr;

/** A double-quoted identifier (what sql.id produces), for SQL text assembled in bulk. */
export const quoteId = (name: string): string => `"${name.replace(/"/g, '""')}"`;

const columnLists = new WeakMap<object, Map<string, Expr>>();

/**
 * `"t0"."id", "t0"."title", ...` for a model (as `"r1$col"` aliases with a prefix). Built once per model, alias and
 * prefix: the names come from the model definition and are quoted, so the cached text is as safe as sql.id's.
 */
export function columnList(model: AnyModelClass, alias: string, prefix = ''): Expr {
  let byKey = columnLists.get(model._meta);
  if (!byKey) columnLists.set(model._meta, (byKey = new Map()));
  const key = `${alias}|${prefix}`;
  let expr = byKey.get(key);
  if (!expr) {
    const text = model._meta.concreteFields
      .map((f) => `${quoteId(alias)}.${quoteId(f.column)}${prefix ? ` as ${quoteId(prefix + f.column)}` : ''}`).join(', ');
    byKey.set(key, (expr = sql.raw(text) as Expr));
  }
  return expr;
}

export class Compiler {
  readonly model: AnyModelClass;
  readonly alias: string;
  readonly prefix: string;
  #joins: Expr[] = [];
  #joinAliases = new Map<string, string>();
  #count = 0;
  annotations: Readonly<Record<string, Annotation>> = {};
  /** Set when a filter or ordering goes through a one-to-many or many-to-many relation (rows may repeat). */
  multiJoin = false;

  constructor(model: AnyModelClass, prefix = 't') {
    this.model = model;
    this.prefix = prefix;
    this.alias = `${prefix}0`;
  }

  get joins(): Expr[] { return this.#joins; }

  /** Unqualified column names (check constraints cannot name a table alias). */
  bare = false;
  #col(alias: string, column: string): Expr { return this.bare ? sql.id(column) as Expr : col(alias, column); }

  #join(key: string, table: string, on: (alias: string) => Expr): string {
    const existing = this.#joinAliases.get(key);
    if (existing) return existing;
    const alias = `${this.prefix}${++this.#count}`;
    this.#joins.push(sql`left join ${sql.id(table)} as ${sql.id(alias)} on ${on(alias)}` as Expr);
    this.#joinAliases.set(key, alias);
    return alias;
  }

  /** Follows `a__b__c` through relations (joining as needed) to a column; what is left over are lookups. */
  resolve(path: string, opts: { lookups?: boolean; forceJoin?: boolean } = {}): Resolved {
    const parts = path.split('__');
    let model = this.model;
    let alias = this.alias;
    let key = '';
    let multi = false;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      const next = parts[i + 1];
      const meta = model._meta;
      const canEnd = (n: string | undefined) => n === undefined || (opts.lookups !== false && isLookupName(n));
      const f = meta.maybeField(part);
      key += `__${part}`;
      if (f instanceof ForeignKey) {
        const target = f.related();
        const tf = f.targetField();
        if (!opts.forceJoin && canEnd(next) && !target._meta.maybeField(next ?? '')) {
          return { expr: this.#col(alias, f.column), column: f.column, field: f, model, rest: parts.slice(i + 1), alias, multi };
        }
        if (!opts.forceJoin && (next === tf.name || next === 'pk') && canEnd(parts[i + 2])) {
          return { expr: this.#col(alias, f.column), column: f.column, field: tf, model: target, rest: parts.slice(i + 2), alias, multi };
        }
        const from = alias;
        alias = this.#join(key, target._meta.table, (a) => sql`${col(a, tf.column)} = ${col(from, f.column)}` as Expr);
        model = target;
        continue;
      }
      if (f instanceof ManyToManyField) {
        const th = throughInfo(f);
        const from = alias;
        const pk = meta.pk.column;
        const t = this.#join(`${key}#through`, th.table, (a) => sql`${col(a, th.sourceColumn)} = ${col(from, pk)}` as Expr);
        const target = f.related();
        alias = this.#join(key, target._meta.table, (a) => sql`${col(a, target._meta.pk.column)} = ${col(t, th.targetColumn)}` as Expr);
        model = target;
        multi = true;
        this.multiJoin = true;
        if (canEnd(next)) return { expr: this.#col(alias, target._meta.pk.column), column: target._meta.pk.column, field: target._meta.pk, model, rest: parts.slice(i + 1), alias, multi };
        continue;
      }
      if (f) {
        if (f.isRelation) throw new FieldError(`${meta.label}.${part} cannot be used in a query here.`);
        const rest = parts.slice(i + 1);
        if (opts.lookups === false && rest.length) throw new FieldError(`"${path}": ${meta.label}.${part} is not a relation, so "${rest.join('__')}" cannot follow it.`);
        return { expr: this.#col(alias, f.column), column: f.column, field: f, model, rest, alias, multi };
      }
      const rel = meta.relatedObject(part);
      if (rel) {
        alias = this.#reverseJoin(key, alias, model, rel);
        model = rel.model;
        if (rel.multiple) { multi = true; this.multiJoin = true; }
        if (canEnd(next)) return { expr: this.#col(alias, model._meta.pk.column), column: model._meta.pk.column, field: model._meta.pk, model, rest: parts.slice(i + 1), alias, multi };
        continue;
      }
      const choices = [...meta.fields.map((x) => x.name), ...meta.relatedObjects().map((r) => r.queryNames[0] as string)];
      throw new FieldError(`Cannot resolve "${part}" (in "${path}") into a field of ${meta.label}. Choices are: ${choices.join(', ')}.`);
    }
    return { expr: this.#col(alias, model._meta.pk.column), column: model._meta.pk.column, field: model._meta.pk, model, rest: [], alias, multi };
  }

  /** A values() column: a field path, optionally ending in a date transform (`pubDate__year`), as Django allows. */
  resolveValue(path: string): { expr: Expr; field: Field } {
    const parts = path.split('__');
    const last = parts[parts.length - 1] as string;
    if (parts.length > 1 && TRANSFORMS.has(last)) {
      const r = this.resolve(parts.slice(0, -1).join('__'), { lookups: false });
      return transform(last, r.expr, r.field);
    }
    const r = this.resolve(path, { lookups: false });
    return { expr: r.expr, field: r.field };
  }

  #reverseJoin(key: string, from: string, model: AnyModelClass, rel: RelatedObject): string {
    if (rel.field instanceof ManyToManyField) {
      const th = throughInfo(rel.field);
      const t = this.#join(`${key}#through`, th.table, (a) => sql`${col(a, th.targetColumn)} = ${col(from, model._meta.pk.column)}` as Expr);
      return this.#join(key, rel.model._meta.table, (a) => sql`${col(a, rel.model._meta.pk.column)} = ${col(t, th.sourceColumn)}` as Expr);
    }
    const fk = rel.field;
    const target = fk.targetField();
    return this.#join(key, rel.model._meta.table, (a) => sql`${col(a, fk.column)} = ${col(from, target.column)}` as Expr);
  }

  // ------------------------------------------------------------ where

  /** Compiles a Q tree; `having` collects whether it refers to an aggregate annotation. */
  where(node: Q | Lookups, ctx: { aggregate: boolean } = { aggregate: false }): Expr {
    if (node instanceof Q && node.negated && !this.bare) {
      // Excluding through a one-to-many or many-to-many relation means "no related row matches" (Django's
      // semantics), not "some related row does not match": the condition becomes a NOT IN over the primary key.
      const probe = new Compiler(this.model, `${this.prefix}x${this.#count++}`);
      probe.annotations = this.annotations;
      const probeCtx = { aggregate: false };
      const inner = probe.where(new Q(node.children, node.connector), probeCtx);
      if (probe.multiJoin && !probeCtx.aggregate) {
        const pk = this.model._meta.pk.column;
        const from = sql`select ${sql.id(probe.alias, pk)} from ${sql.id(this.model._meta.table)} as ${sql.id(probe.alias)}`;
        const joins = probe.joins.length ? sql` ${sql.join(probe.joins, sql` `)}` : sql``;
        return sql`${sql.id(this.alias, pk)} not in (${from}${joins} where ${inner})` as Expr;
      }
    }
    if (node instanceof Q) {
      const parts = node.children.map((c) => this.where(c, ctx));
      let inner: Expr;
      if (parts.length === 0) inner = sql`true` as Expr;
      else if (parts.length === 1) inner = parts[0] as Expr;
      else inner = sql`(${sql.join(parts, node.connector === 'or' ? sql` or ` : sql` and `)})` as Expr;
      // NOT over a NULL (an absent related row) must keep the row, as "is not x" reads.
      return node.negated ? sql`not coalesce(${inner}, false)` as Expr : inner;
    }
    if (typeof node !== 'object' || node === null) throw new FieldError('Filters take an object of lookups or a Q.');
    const entries = Object.entries(node).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return sql`true` as Expr;
    const parts = entries.map(([k, v]) => this.lookup(k, v, ctx));
    return parts.length === 1 ? parts[0] as Expr : sql`(${sql.join(parts, sql` and `)})` as Expr;
  }

  lookup(key: string, value: unknown, ctx: { aggregate: boolean }): Expr {
    const first = key.split('__')[0] as string;
    let expr: Expr;
    let field: Field;
    let rest: string[];
    const ann = Object.hasOwn(this.annotations, first) ? this.annotations[first] : undefined;
    if (ann) {
      expr = this.annotation(ann);
      if (ann instanceof Aggregate) ctx.aggregate = true;
      field = ann instanceof Aggregate ? aggregateField(ann, this) : this.resolve(ann.name).field;
      rest = key.split('__').slice(1);
    } else {
      ({ expr, field, rest } = this.resolve(key));
    }
    return this.#compare(key, expr, field, rest, value);
  }

  #compare(key: string, expr: Expr, field: Field, rest: string[], value: unknown): Expr {
    let lookup = 'exact';
    if (rest.length > 2) throw new FieldError(`"${key}": too many lookups; use at most one transform and one lookup.`);
    const [a, b] = rest;
    if (a !== undefined && TRANSFORMS.has(a)) {
      ({ expr, field } = transform(a, expr, field));
      if (b !== undefined) lookup = b;
    } else if (a !== undefined) {
      lookup = a;
      if (b !== undefined) throw new FieldError(`"${key}": "${b}" cannot follow the lookup "${a}".`);
    }
    if (!LOOKUPS.has(lookup)) {
      throw new FieldError(`"${key}": unsupported lookup "${lookup}". Lookups: ${[...LOOKUPS].join(', ')}; transforms: ${[...TRANSFORMS].join(', ')}.`);
    }
    const v = (x: unknown): unknown => this.value(field, x);
    const text = isText(field) ? expr : sql`${expr}::text` as Expr;
    const like = (pattern: string, ci: boolean): Expr => sql`${text} ${ci ? sql`ilike` : sql`like`} ${pattern}` as Expr;
    switch (lookup) {
      case 'exact':
        if (value === null) return sql`${expr} is null` as Expr;
        return sql`${expr} = ${v(value)}` as Expr;
      case 'iexact':
        if (value === null) return sql`${expr} is null` as Expr;
        return sql`upper(${text}) = upper(${textValue(key, value)})` as Expr;
      case 'contains': return like(`%${escapeLike(textValue(key, value))}%`, false);
      case 'icontains': return like(`%${escapeLike(textValue(key, value))}%`, true);
      case 'startswith': return like(`${escapeLike(textValue(key, value))}%`, false);
      case 'istartswith': return like(`${escapeLike(textValue(key, value))}%`, true);
      case 'endswith': return like(`%${escapeLike(textValue(key, value))}`, false);
      case 'iendswith': return like(`%${escapeLike(textValue(key, value))}`, true);
      case 'regex': return sql`${text} ~ ${textValue(key, value)}` as Expr;
      case 'iregex': return sql`${text} ~* ${textValue(key, value)}` as Expr;
      case 'gt': return sql`${expr} > ${v(value)}` as Expr;
      case 'gte': return sql`${expr} >= ${v(value)}` as Expr;
      case 'lt': return sql`${expr} < ${v(value)}` as Expr;
      case 'lte': return sql`${expr} <= ${v(value)}` as Expr;
      case 'isnull':
        if (typeof value !== 'boolean') throw new FieldError(`"${key}" takes true or false.`);
        return value ? sql`${expr} is null` as Expr : sql`${expr} is not null` as Expr;
      case 'range': {
        if (!Array.isArray(value) || value.length !== 2) throw new FieldError(`"${key}" takes a pair [low, high].`);
        return sql`${expr} between ${v(value[0])} and ${v(value[1])}` as Expr;
      }
      case 'in': {
        if (isSubquery(value)) return sql`${expr} in (${value.toSubquery(`${this.prefix}s${this.#count++}`)})` as Expr;
        if (typeof value !== 'object' || value === null || !(Symbol.iterator in value) || typeof value === 'string') {
          throw new FieldError(`"${key}" takes a list (or a QuerySet of one column).`);
        }
        const list = [...(value as Iterable<unknown>)];
        if (list.length === 0) return sql`false` as Expr;
        const nonNull = list.filter((x) => x !== null);
        const cond = nonNull.length ? sql`${expr} in (${sql.join(nonNull.map(v))})` as Expr : sql`false` as Expr;
        return nonNull.length < list.length ? sql`(${cond} or ${expr} is null)` as Expr : cond;
      }
      default: throw new FieldError(`"${key}": unsupported lookup "${lookup}".`);
    }
  }

  /** A value for comparison with `field`: F() references become columns, everything else a converted parameter. */
  value(field: Field, value: unknown): unknown {
    if (value instanceof FieldRef) return this.fExpr(value);
    if (isSubquery(value)) return sql`(${value.toSubquery(`${this.prefix}s${this.#count++}`)})`;
    return param(field, value);
  }

  fExpr(fv: FieldRef): Expr {
    const ann = Object.hasOwn(this.annotations, fv.name) ? this.annotations[fv.name] : undefined;
    let expr: Expr = ann ? this.annotation(ann) : this.resolve(fv.name, { lookups: false }).expr;
    for (const { op, value } of fv.ops) {
      const rhs = value instanceof FieldRef ? this.fExpr(value) : checkNumber(value);
      expr = sql`(${expr} ${sql.raw(op)} ${rhs})` as Expr;
    }
    return expr;
  }

  annotation(a: Annotation): Expr {
    if (a instanceof FieldRef) return this.fExpr(a);
    const fn = sql.raw(a.fn);
    let inner: Expr;
    if (a.field === '*') inner = sql`*` as Expr;
    else inner = this.resolve(a.field, { lookups: false }).expr;
    const distinct = a.distinct ? sql`distinct ` : sql``;
    const filter = a.filter ? sql` filter (where ${this.where(a.filter)})` : sql``;
    return sql`${fn}(${distinct}${inner})${filter}` as Expr;
  }

  // ------------------------------------------------------------ ordering

  orderBy(names: readonly string[]): Expr[] {
    const out: Expr[] = [];
    for (const raw of names) {
      if (typeof raw !== 'string') throw new FieldError('orderBy takes field names (strings).');
      if (raw === '?') { out.push(sql`random()` as Expr); continue; }
      const desc = raw.startsWith('-');
      const name = desc ? raw.slice(1) : raw;
      const ann = Object.hasOwn(this.annotations, name) ? this.annotations[name] : undefined;
      const expr = ann ? this.annotation(ann) : this.resolve(name, { lookups: false }).expr;
      out.push(desc ? sql`${expr} desc` as Expr : expr);
    }
    return out;
  }
}

/** Something a QuerySet-like object offers to be embedded as `in (subquery)`. */
export interface Subquery { toSubquery(prefix: string): Expr }
function isSubquery(v: unknown): v is Subquery {
  return typeof v === 'object' && v !== null && typeof (v as Subquery).toSubquery === 'function';
}

function transform(name: string, expr: Expr, field: Field): { expr: Expr; field: Field } {
  if (!(field instanceof DateTimeField || field instanceof DateField)) throw new FieldError(`The "${name}" transform applies to date and datetime fields, not ${field.modelLabel}.${field.name}.`);
  // As Django with USE_TZ: year, month, day, hour... of a datetime are those of the current time zone. A literal, not
  // a parameter, so the same expression in SELECT and GROUP BY is the same SQL (the name is checked to be a zone).
  const base = field instanceof DateTimeField ? sql`(${expr} at time zone ${sql.lit(getCurrentTimezone())})` as Expr : expr;
  if (name === 'date') return { expr: sql`${base}::date` as Expr, field: new DateField() };
  const part = name === 'weekDay' || name === 'week_day' ? 'dow' : name;
  // Django's week_day counts Sunday as 1; Postgres' dow counts it as 0.
  const extract = sql`extract(${sql.raw(part)} from ${base})::integer` as Expr;
  return { expr: part === 'dow' ? sql`(${extract} + 1)` as Expr : extract, field: new IntegerField() };
}

function isText(f: Field): boolean { return f instanceof CharField || f instanceof TextField; }

function textValue(key: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  throw new FieldError(`"${key}" takes text, got ${v === null ? 'null' : typeof v}.`);
}

function escapeLike(s: string): string { return s.replace(/[\\%_]/g, (c) => `\\${c}`); }

function checkNumber(n: unknown): Expr {
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new FieldError('F() arithmetic takes finite numbers or other F() references.');
  return sql`${n}` as Expr;
}

/** The field that describes an aggregate's result (for converting values and comparing in HAVING). */
export function aggregateField(a: Aggregate, c: Compiler): Field {
  if (a.fn === 'count') return new IntegerField();
  if (a.field === '*') return new IntegerField();
  const f = c.resolve(a.field, { lookups: false }).field;
  if (a.fn === 'avg') return new FloatField();
  if (a.fn === 'sum') return f instanceof DecimalField ? f : f instanceof FloatField ? new FloatField() : new BigIntegerFieldAsNumber();
  return f;
}

/** Sums of integers come back as int8/numeric text; they are read as numbers. */
class BigIntegerFieldAsNumber extends FloatField {}

export function convertAggregate(a: Aggregate, f: Field, v: unknown): unknown {
  if (v === null || v === undefined) return a.fn === 'count' ? 0 : null;
  if (a.fn === 'count') return Number(v);
  return f.fromDb(v);
}

export { AutoField, BigIntegerField };
