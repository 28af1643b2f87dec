// QuerySet: a lazy, immutable, chainable query over one model; awaiting it (or iterating it) runs it.
// Model.objects is the QuerySet of every row; related managers are QuerySets bound to one instance.
import { CompiledQuery, sql } from 'kysely';
import { execute, readAlias, routeWrite } from './connections.js';
import {
  Compiler, columnList, quoteId, convertAggregate, aggregateField, emptyState, throughInfo, type Annotation, type Expr, type QueryState, type RelatedSelect,
} from './compiler.js';
import { FieldError, IntegrityError, ValidationError } from '../errors.js';
import { Aggregate, FieldRef, Q, type Lookups } from './expressions.js';
import { AutoField, DateTimeField, ForeignKey, ManyToManyField, type Field } from './fields.js';
import {
  CACHE, STATE, ModelBase, assertRelationAllowed, fromRow, markAltersData, getCached, param, rawInstances, setCached, type AnyInstance, type AnyModelClass,
  type RelatedObject,
} from './model.js';
import { atomic } from './transactions.js';
import { m2mChanged, type M2MAction } from './signals.js';
import { deleteObjects, canFastDelete, type DeleteResult } from './deletion.js';

/** What filter(), exclude() and get() take: a lookups object, or a Q made with and/or/not. */
export type Filter = Lookups | Q;

type AnnotationResult<A> = { [K in keyof A]: A[K] extends Aggregate ? number | string | null : unknown };

/**
 * T: what each row is (a model instance, or plain values after values()); C: what create() accepts (the model's
 * CreateInput for Model.objects).
 */
export class QuerySet<T, C extends object = Record<string, unknown>> implements AsyncIterable<T>, PromiseLike<T[]> {
  readonly model: AnyModelClass;
  protected readonly state: QueryState;
  /** Rows loaded by prefetchRelated for a related manager: awaiting it then sends no query. */
  protected readonly prefetched: readonly T[] | undefined;

  constructor(model: AnyModelClass, state: QueryState = emptyState, prefetched?: readonly T[]) {
    this.model = model;
    this.state = state;
    this.prefetched = prefetched;
  }

  protected clone<U = T>(patch: Partial<QueryState>): QuerySet<U, C> {
    return new QuerySet<U, C>(this.model, { ...this.state, ...patch });
  }

  // ------------------------------------------------------------ chaining

  /** A copy of the query: every row it matches. */
  all(): QuerySet<T, C> { return this.clone({}); }
  /** Rows matching every condition: `filter({ status: 'live', published__lte: now })`. */
  filter(...conds: Filter[]): QuerySet<T, C> { return this.clone({ where: [...this.state.where, ...conds.map(toQ)] }); }
  /** Rows not matching the conditions (through a many-valued relation: no related row matches). */
  exclude(...conds: Filter[]): QuerySet<T, C> { return this.clone({ where: [...this.state.where, new Q(conds.map(toQ), 'and', true)] }); }
  /** Sorts by fields ('-' for descending, '?' for random, `author__name` across relations); checked against the model. */
  orderBy(...names: string[]): QuerySet<T, C> { return this.clone({ order: names }); }
  /** The same rows in the opposite order. */
  reverse(): QuerySet<T, C> {
    const order = (this.state.order ?? this.model._meta.ordering);
    const base = order.length ? order : ['pk'];
    return this.clone({ order: base.map((o) => (o === '?' ? o : o.startsWith('-') ? o.slice(1) : `-${o}`)) });
  }
  /** No duplicate rows (SELECT DISTINCT). */
  distinct(): QuerySet<T, C> { return this.clone({ distinct: true }); }
  /** At most n rows (LIMIT). */
  limit(n: number): QuerySet<T, C> { return this.clone({ limit: nonNegative(n, 'limit') }); }
  /** Skips n rows (OFFSET). */
  offset(n: number): QuerySet<T, C> { return this.clone({ offset: nonNegative(n, 'offset') }); }
  /** Python-style slice [start, end): LIMIT/OFFSET. */
  slice(start: number, end?: number): QuerySet<T, C> {
    const s = nonNegative(start, 'slice start') + this.state.offset;
    const limit = end === undefined ? this.state.limit : Math.max(0, nonNegative(end, 'slice end') - start);
    return this.clone({ offset: s, limit: this.state.limit !== null && limit !== null ? Math.min(limit, Math.max(0, this.state.limit - start)) : limit });
  }
  /** Runs on another database of DATABASES. */
  using(alias: string): QuerySet<T, C> { return this.clone({ using: alias }); }
  /** Loads these foreign keys (or one-to-ones; `author__profile` for deeper ones) in the same query, with joins; none named: every non-null one. */
  selectRelated(...paths: string[]): QuerySet<T, C> {
    return this.clone({ selectRelated: paths.length === 0 ? true : [...(this.state.selectRelated === true ? [] : this.state.selectRelated), ...paths] });
  }
  /** Loads these relations (many-valued ones included) with one more query per relation, for every row at once. */
  prefetchRelated(...paths: string[]): QuerySet<T, C> { return this.clone({ prefetch: [...this.state.prefetch, ...paths] }); }
  /** Adds computed values (Count('posts'), Sum('views'), F('a')) to each row, grouped by the row. */
  annotate<A extends Record<string, Annotation>>(annotations: A): QuerySet<T & AnnotationResult<A>, C> {
    for (const name of Object.keys(annotations)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name.includes('__')) throw new FieldError(`Annotation name "${name}" must be a plain identifier without "__".`);
      if (this.model._meta.maybeField(name) || this.model._meta.relatedObject(name)) throw new FieldError(`Annotation "${name}" conflicts with a field of ${this.model._meta.label}.`);
    }
    return this.clone({ annotations: { ...this.state.annotations, ...annotations } });
  }
  /** Rows as plain objects of the named fields (paths like `author__username` allowed). */
  values<K extends string>(...names: K[]): QuerySet<{ [P in K]: P extends keyof T ? T[P] : unknown }, C> {
    return this.clone({ values: { fields: names, mode: 'object' } });
  }
  valuesList(...names: string[]): QuerySet<unknown[], C>;
  valuesList<K extends string>(name: K, opts: { flat: true }): QuerySet<K extends keyof T ? T[K] : unknown, C>;
  valuesList(...args: Array<string | { flat?: boolean }>): QuerySet<unknown, C> {
    const last = args[args.length - 1];
    const flat = typeof last === 'object' && last !== null && last.flat === true;
    const names = args.filter((a): a is string => typeof a === 'string');
    if (flat && names.length !== 1) throw new FieldError('valuesList(..., { flat: true }) takes exactly one field.');
    return this.clone({ values: { fields: names, mode: flat ? 'flat' : 'list' } });
  }

  // ------------------------------------------------------------ compiling

  get db(): string { return this.state.using ?? readAlias(this.model); }

  protected compiler(prefix = 't'): Compiler {
    const c = new Compiler(this.model, prefix);
    c.annotations = this.state.annotations;
    return c;
  }

  #whereParts(c: Compiler): { where: Expr[]; having: Expr[] } {
    const where: Expr[] = [];
    const having: Expr[] = [];
    for (const q of this.state.where) {
      const ctx = { aggregate: false };
      const expr = c.where(q, ctx);
      (ctx.aggregate ? having : where).push(expr);
    }
    return { where, having };
  }

  /** The full SELECT plus what is needed to turn rows into results. */
  protected build(prefix = 't', opts: { forceColumns?: Expr[] } = {}): { query: Expr; related: RelatedSelect[]; valueKeys: string[]; valueFields: Array<Field | null>; annotationNames: string[] } {
    const c = this.compiler(prefix);
    const meta = this.model._meta;
    const annotationNames = Object.keys(this.state.annotations);
    const annExprs = annotationNames.map((n) => c.annotation(this.state.annotations[n] as Annotation));
    const hasAggregate = annotationNames.some((n) => this.state.annotations[n] instanceof Aggregate);
    const { where, having } = this.#whereParts(c);
    const order = c.orderBy(this.state.order ?? meta.ordering);
    const related: RelatedSelect[] = [];
    let columns: Expr[];
    const valueKeys: string[] = [];
    const valueFields: Array<Field | null> = [];
    let groupBy: Expr[] = [];
    if (opts.forceColumns) {
      columns = opts.forceColumns;
    } else if (this.state.values) {
      const listed = this.state.values.fields.length ? [...this.state.values.fields] : meta.concreteFields.map((f) => f.name);
      const names = [...listed, ...annotationNames.filter((n) => !listed.includes(n))];
      columns = names.map((name, i) => {
        valueKeys.push(name);
        if (Object.hasOwn(this.state.annotations, name)) {
          valueFields.push(null);
          return sql`${annExprs[annotationNames.indexOf(name)]} as ${sql.id(`v${i}`)}` as Expr;
        }
        const r = c.resolveValue(name);
        valueFields.push(r.field);
        groupBy.push(r.expr);
        return sql`${r.expr} as ${sql.id(`v${i}`)}` as Expr;
      });
    } else {
      columns = [columnList(this.model, c.alias)];
      groupBy = [sql.id(c.alias, meta.pk.column) as Expr];
      for (const rel of this.#relatedPaths(c)) {
        related.push(rel.select);
        columns.push(columnList(rel.model, rel.alias, rel.select.prefix));
        groupBy.push(sql.id(rel.alias, rel.model._meta.pk.column) as Expr);
      }
      columns.push(...annExprs.map((e, i) => sql`${e} as ${sql.id(annotationNames[i] as string)}` as Expr));
    }
    const parts: Expr[] = [sql`select ${this.state.distinct ? sql`distinct ` : sql``}${sql.join(columns)} from ${sql.id(meta.table)} as ${sql.id(c.alias)}` as Expr];
    if (c.joins.length) parts.push(sql.join(c.joins, sql` `) as Expr);
    if (where.length) parts.push(sql`where ${sql.join(where, sql` and `)}` as Expr);
    if (hasAggregate || having.length) {
      if (groupBy.length) parts.push(sql`group by ${sql.join(groupBy)}` as Expr);
      if (having.length) parts.push(sql`having ${sql.join(having, sql` and `)}` as Expr);
    }
    if (order.length && !opts.forceColumns) parts.push(sql`order by ${sql.join(order)}` as Expr);
    if (this.state.limit !== null) parts.push(sql`limit ${this.state.limit}` as Expr);
    if (this.state.offset) parts.push(sql`offset ${this.state.offset}` as Expr);
    return { query: sql.join(parts, sql` `) as Expr, related, valueKeys, valueFields, annotationNames };
  }

  #relatedPaths(c: Compiler): Array<{ select: RelatedSelect; alias: string; model: AnyModelClass }> {
    const spec = this.state.selectRelated;
    const paths = spec === true
      ? this.model._meta.concreteFields.filter((f): f is ForeignKey => f instanceof ForeignKey && !f.null).map((f) => f.name)
      : spec;
    const out: Array<{ select: RelatedSelect; alias: string; model: AnyModelClass }> = [];
    const seen = new Map<string, number>();
    for (const path of paths) {
      const parts = path.split('__');
      for (let i = 1; i <= parts.length; i++) {
        const sub = parts.slice(0, i).join('__');
        if (seen.has(sub)) continue;
        const parentModel = i === 1 ? this.model : (out[seen.get(parts.slice(0, i - 1).join('__')) as number] as { model: AnyModelClass }).model;
        const f = parentModel._meta.maybeField(parts[i - 1] as string);
        if (!(f instanceof ForeignKey)) {
          throw new FieldError(`selectRelated("${path}"): "${parts[i - 1]}" is not a foreign key or one-to-one field of ${parentModel._meta.label}; use prefetchRelated for many-valued relations.`);
        }
        const alias = this.#aliasOf(c, sub, f);
        seen.set(sub, out.length);
        out.push({
          alias,
          model: f.related(),
          select: { path: parts.slice(0, i), field: f, model: f.related(), prefix: `r${out.length + 1}$`, parent: i === 1 ? -1 : seen.get(parts.slice(0, i - 1).join('__')) as number },
        });
      }
    }
    return out;
  }

  #aliasOf(c: Compiler, sub: string, f: ForeignKey): string {
    // Joined (not shortcut to the foreign key column) so the target's columns can be selected.
    return c.resolve(`${sub}__${f.related()._meta.pk.name}`, { lookups: false, forceJoin: true }).alias;
  }

  /** Embeds this query as `(select <one column> ...)` in another one's `in` lookup. */
  toSubquery(prefix: string): Expr {
    let column: Expr;
    const c = this.compiler(prefix);
    if (this.state.values) {
      if (this.state.values.fields.length !== 1) throw new FieldError('A QuerySet used in an "in" lookup must select one column: valuesList("field", { flat: true }).');
      column = c.resolve(this.state.values.fields[0] as string, { lookups: false }).expr;
    } else {
      column = sql.id(c.alias, this.model._meta.pk.column) as Expr;
    }
    const { where, having } = this.#whereParts(c);
    const parts: Expr[] = [sql`select ${column} from ${sql.id(this.model._meta.table)} as ${sql.id(c.alias)}` as Expr];
    if (c.joins.length) parts.push(sql.join(c.joins, sql` `) as Expr);
    if (where.length) parts.push(sql`where ${sql.join(where, sql` and `)}` as Expr);
    // Filters on aggregate annotations (HAVING) must narrow the subquery too, or update()/delete() would hit every row.
    if (having.length) {
      parts.push(sql`group by ${sql.id(c.alias, this.model._meta.pk.column)}${this.state.values ? sql`, ${column}` : sql``}` as Expr);
      parts.push(sql`having ${sql.join(having, sql` and `)}` as Expr);
    }
    if (this.state.limit !== null) parts.push(sql`limit ${this.state.limit}` as Expr);
    if (this.state.offset) parts.push(sql`offset ${this.state.offset}` as Expr);
    return sql.join(parts, sql` `) as Expr;
  }

  /** The SQL and parameters this QuerySet would send (for debugging and sqlmigrate-style inspection). */
  toSQL(): { sql: string; parameters: readonly unknown[] } {
    const { query } = this.build();
    const compiled = query.compile(dummyCompilerHost);
    return { sql: compiled.sql, parameters: compiled.parameters };
  }

  // ------------------------------------------------------------ running

  async fetch(): Promise<T[]> {
    if (this.prefetched) return [...this.prefetched];
    const alias = this.db;
    const built = this.build();
    const { rows } = await execute<Record<string, unknown>>(alias, built.query);
    if (this.state.values) {
      const { mode } = this.state.values;
      const conv = (row: Record<string, unknown>, i: number): unknown => {
        const key = built.valueKeys[i] as string;
        const f = built.valueFields[i];
        if (f === null || f === undefined) return this.#annotationValue(key, row[`v${i}`]);
        return f.fromDb(row[`v${i}`]);
      };
      if (mode === 'flat') return rows.map((r) => conv(r, 0)) as T[];
      if (mode === 'list') return rows.map((r) => built.valueKeys.map((_, i) => conv(r, i))) as T[];
      return rows.map((r) => Object.fromEntries(built.valueKeys.map((k, i) => [k, conv(r, i)]))) as T[];
    }
    const objs = rows.map((row) => {
      const obj = fromRow(this.model, row, '', alias) as AnyInstance & Record<string, unknown>;
      if (built.related.length) {
        const chain: AnyInstance[] = [];
        for (const rel of built.related) {
          const pkValue = row[rel.prefix + rel.model._meta.pk.column];
          const child = pkValue === null || pkValue === undefined ? null : fromRow(rel.model, row, rel.prefix, alias);
          chain.push(child as AnyInstance);
          const parent = rel.parent === -1 ? obj : chain[rel.parent];
          if (parent) setCached(parent, rel.field.name, child);
        }
      }
      for (const name of built.annotationNames) obj[name] = this.#annotationValue(name, row[name]);
      return obj;
    });
    if (this.state.prefetch.length && objs.length) await prefetch(this.model, objs, this.state.prefetch, alias);
    return objs as unknown as T[];
  }

  #annotationValue(name: string, v: unknown): unknown {
    const a = this.state.annotations[name];
    if (a instanceof Aggregate) return convertAggregate(a, aggregateField(a, this.compiler()), v);
    if (v === null || v === undefined) return null;
    return typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }

  then<R1 = T[], R2 = never>(onfulfilled?: ((value: T[]) => R1 | PromiseLike<R1>) | null, onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null): Promise<R1 | R2> {
    return this.fetch().then(onfulfilled, onrejected);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (const row of await this.fetch()) yield row;
  }

  /**
   * Synchronous iteration (a template's `{% for %}`, `[...qs]`) works on rows that are already loaded: a related
   * manager after prefetchRelated(). Anything else would need a query, which a synchronous loop cannot wait for, so it
   * says how to load the rows instead of rendering nothing.
   */
  *[Symbol.iterator](): Iterator<T> {
    if (this.prefetched) {
      yield* this.prefetched;
      return;
    }
    throw new FieldError(this.notLoadedMessage());
  }

  protected notLoadedMessage(): string {
    return `This ${this.model._meta.label} QuerySet has not been run, so it cannot be looped over synchronously (a template's for loop): `
      + 'await it in the view and pass the list (`posts: await Post.objects.filter(...)`).';
  }

  /** Walks a large table in ordered batches of `chunkSize` (keyset on the primary key), holding one batch at a time. */
  async *iterator(chunkSize = 1000): AsyncGenerator<T> {
    const pk = this.model._meta.pk.name;
    let last: unknown;
    for (;;) {
      let qs = this.orderBy(pk).limit(chunkSize);
      if (last !== undefined) qs = qs.filter({ [`${pk}__gt`]: last });
      const batch = await qs.fetch();
      for (const row of batch) yield row;
      if (batch.length < chunkSize) return;
      last = (batch[batch.length - 1] as AnyInstance).pk;
    }
  }

  /** Exactly one row matching the filters; Model.DoesNotExist or Model.MultipleObjectsReturned otherwise. */
  async get(...conds: Filter[]): Promise<T> {
    const qs = conds.length ? this.filter(...conds) : this;
    const rows = await (qs.state.limit === null ? qs.limit(21) : qs).fetch();
    const label = this.model._meta.label;
    if (rows.length === 0) throw new this.model.DoesNotExist(`No ${label} matches the query${describeConds(conds)}.`);
    if (rows.length > 1) throw new this.model.MultipleObjectsReturned(`get() returned more than one ${label} (${rows.length > 20 ? 'more than 20' : rows.length})${describeConds(conds)}; filter further or use first().`);
    return rows[0] as T;
  }

  /** The first row (by the query's order, else the primary key), or null. */
  async first(): Promise<T | null> {
    const qs = (this.state.order ?? this.model._meta.ordering).length ? this : this.orderBy('pk');
    return (await qs.limit(1).fetch())[0] ?? null;
  }

  /** The last row (by the query's order, else the primary key), or null. */
  async last(): Promise<T | null> {
    return (await this.reverse().limit(1).fetch())[0] ?? null;
  }

  /** Whether any row matches (cheaper than counting). */
  async exists(): Promise<boolean> {
    const { query } = this.limit(1).build('t', { forceColumns: [sql`1` as Expr] });
    const { rows } = await execute(this.db, query);
    return rows.length > 0;
  }

  /** How many rows match (SELECT COUNT). */
  async count(): Promise<number> {
    if (this.prefetched) return this.prefetched.length;
    const needsWrap = this.state.distinct || this.state.limit !== null || this.state.offset > 0 || Object.keys(this.state.annotations).length > 0 || this.state.values !== null;
    const inner = needsWrap ? this.clone({ order: [] }).build().query : this.clone({ order: [] }).build('t', { forceColumns: [sql`count(*) as "n"` as Expr] }).query;
    const query = needsWrap ? sql`select count(*) as "n" from (${inner}) as "sub"` : inner;
    const { rows } = await execute<{ n: unknown }>(this.db, query);
    return Number(rows[0]?.n ?? 0);
  }

  /** Aggregates over the whole (filtered) set: `aggregate({ total: Sum('views'), n: Count() })`. */
  async aggregate<A extends Record<string, Aggregate>>(spec: A): Promise<{ [K in keyof A]: number | string | null }> {
    const names = Object.keys(spec);
    if (names.length === 0) throw new FieldError('aggregate() needs at least one aggregate, e.g. { n: Count() }.');
    for (const n of names) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new FieldError(`Aggregate name "${n}" must be a plain identifier.`);
    const sliced = this.state.limit !== null || this.state.offset > 0 || this.state.distinct || Object.keys(this.state.annotations).length > 0;
    const c = this.compiler();
    let query: Expr;
    if (sliced) {
      const inner = this.build().query;
      const outer = new Compiler(this.model, 'o');
      const exprs = names.map((n) => {
        const a = spec[n] as Aggregate;
        const field = a.field === '*' ? sql`*` : sql.id('sub', outer.resolve(a.field, { lookups: false }).field.column);
        return sql`${sql.raw(a.fn)}(${a.distinct ? sql`distinct ` : sql``}${field}) as ${sql.id(n)}` as Expr;
      });
      query = sql`select ${sql.join(exprs)} from (${inner}) as "sub"` as Expr;
    } else {
      const { where } = this.#whereParts(c);
      const exprs = names.map((n) => sql`${c.annotation(spec[n] as Aggregate)} as ${sql.id(n)}` as Expr);
      const parts: Expr[] = [sql`select ${sql.join(exprs)} from ${sql.id(this.model._meta.table)} as ${sql.id(c.alias)}` as Expr];
      if (c.joins.length) parts.push(sql.join(c.joins, sql` `) as Expr);
      if (where.length) parts.push(sql`where ${sql.join(where, sql` and `)}` as Expr);
      query = sql.join(parts, sql` `) as Expr;
    }
    const { rows } = await execute<Record<string, unknown>>(this.db, query);
    const row = rows[0] ?? {};
    return Object.fromEntries(names.map((n) => {
      const a = spec[n] as Aggregate;
      return [n, convertAggregate(a, aggregateField(a, c), row[n])];
    })) as { [K in keyof A]: number | string | null };
  }

  // ------------------------------------------------------------ writing

  protected get writeAlias(): string { return this.state.using ?? routeWrite(this.model); }

  /** Inserts a new object and returns it. */
  async create(data: C): Promise<T> {
    const obj = new this.model._meta.modelClass(data as Record<string, unknown>);
    await obj.save({ using: this.writeAlias });
    return obj as unknown as T;
  }

  /** Updates every matching row in one statement (no signals, no save()); returns the number of rows. */
  async update(values: Record<string, unknown>): Promise<number> {
    const meta = this.model._meta;
    const target = new Compiler(this.model, 'u');
    const sets = Object.entries(values).map(([name, v]) => {
      const f = meta.field(name);
      if (!f.concrete || f.primaryKey) throw new FieldError(`update() cannot set ${meta.label}.${name}.`);
      const value = v instanceof FieldRef ? target.fExpr(v) : param(f, v);
      return sql`${sql.id(f.column)} = ${value}` as Expr;
    });
    if (target.joins.length) throw new FieldError('F() in update() can only refer to fields of the updated model.');
    if (sets.length === 0) return 0;
    const sub = this.clone({ order: [], values: null, selectRelated: [], prefetch: [] }).toSubquery('w');
    const query = sql`update ${sql.id(meta.table)} as ${sql.id(target.alias)} set ${sql.join(sets)} where ${sql.id(target.alias, meta.pk.column)} in (${sub})`;
    const res = await execute(this.writeAlias, query);
    return Number(res.numAffectedRows ?? 0n);
  }

  /** Deletes every matching row, applying onDelete rules and sending signals; returns counts per model. */
  async delete(): Promise<DeleteResult> {
    if (this.state.limit !== null || this.state.offset) throw new FieldError('Cannot delete() a sliced QuerySet; filter by the rows instead.');
    const alias = this.writeAlias;
    if (canFastDelete(this.model)) {
      const sub = this.clone({ order: [], values: null, selectRelated: [], prefetch: [] }).toSubquery('w');
      const meta = this.model._meta;
      const res = await execute(alias, sql`delete from ${sql.id(meta.table)} where ${sql.id(meta.pk.column)} in (${sub})`);
      const n = Number(res.numAffectedRows ?? 0n);
      return { total: n, perModel: n ? { [meta.label]: n } : {} };
    }
    const objs = await this.clone({ order: [], values: null, prefetch: [], annotations: {}, selectRelated: [], using: alias }).fetch();
    return deleteObjects(this.model, objs as unknown as AnyInstance[], alias);
  }

  /** Inserts many objects in multi-row INSERTs (no signals); sets their primary keys. */
  async bulkCreate(items: ReadonlyArray<T | C>, opts: { batchSize?: number; ignoreConflicts?: boolean } = {}): Promise<T[]> {
    const meta = this.model._meta;
    const objs = items.map((x) => (x instanceof this.model ? x : new this.model._meta.modelClass(x as Record<string, unknown>)) as unknown as AnyInstance & Record<string, unknown>);
    if (objs.length === 0) return [];
    const now = new Date();
    const dtFields = meta.concreteFields.filter((f) => f instanceof DateTimeField && (f.options.autoNow || f.options.autoNowAdd));
    const autoPk = meta.pk instanceof AutoField;
    const withPk = objs.filter((o) => o[meta.pk.attname] !== null && o[meta.pk.attname] !== undefined);
    if (autoPk && withPk.length && withPk.length !== objs.length) throw new FieldError('bulkCreate(): give every object a primary key or none.');
    const cols = meta.concreteFields.filter((f) => !(f.primaryKey && autoPk && withPk.length === 0));
    for (const o of objs) for (const f of dtFields) if (o[f.attname] === null || o[f.attname] === undefined || f.options.autoNow) o[f.attname] = now;
    const perBatch = Math.max(1, Math.min(opts.batchSize ?? Infinity, Math.floor(65535 / Math.max(1, cols.length))));
    // The VALUES list is assembled as text with $n placeholders (every value still a bound parameter):
    // building tens of thousands of builder nodes would cost more than the insert itself.
    const head = `insert into ${quoteId(meta.table)} (${cols.map((f) => quoteId(f.column)).join(', ')}) values `;
    const tail = `${opts.ignoreConflicts ? ' on conflict do nothing' : ''} returning ${quoteId(meta.pk.column)}`;
    const alias = this.writeAlias;
    const run = async () => {
      for (let i = 0; i < objs.length; i += perBatch) {
        const batch = objs.slice(i, i + perBatch);
        const params: unknown[] = new Array(batch.length * cols.length);
        let n = 0;
        for (const o of batch) {
          for (const f of cols) {
            const v = o[f.attname];
            if ((v === null || v === undefined) && !f.null) throw new ValidationError({ [f.name]: ['This field cannot be null.'] });
            params[n++] = param(f, v);
          }
        }
        const { rows } = await execute<Record<string, unknown>>(alias, CompiledQuery.raw(head + placeholders(batch.length, cols.length) + tail, params));
        if (!opts.ignoreConflicts) batch.forEach((o, j) => { o[meta.pk.attname] = meta.pk.fromDb(rows[j]?.[meta.pk.column]); });
        for (const o of batch) o[STATE] = { adding: false, db: alias };
      }
    };
    if (objs.length > perBatch) await atomic(run, { using: alias });
    else await run();
    return objs as unknown as T[];
  }

  /** Writes `fieldNames` of many saved objects with one UPDATE per batch (CASE on the primary key). */
  async bulkUpdate(items: readonly T[], fieldNames: readonly string[], opts: { batchSize?: number } = {}): Promise<number> {
    const meta = this.model._meta;
    if (fieldNames.length === 0) throw new FieldError('bulkUpdate() needs the names of the fields to write.');
    const flds = fieldNames.map((n) => {
      const f = meta.field(n);
      if (!f.concrete || f.primaryKey) throw new FieldError(`bulkUpdate() cannot write ${meta.label}.${n}.`);
      return f;
    });
    const objs = items as unknown as Array<AnyInstance & Record<string, unknown>>;
    const perBatch = Math.max(1, Math.min(opts.batchSize ?? 1000, Math.floor(30000 / (flds.length * 2 + 1))));
    const alias = this.writeAlias;
    let total = 0;
    const pkCol = sql.id(meta.pk.column);
    await atomic(async () => {
      for (let i = 0; i < objs.length; i += perBatch) {
        const batch = objs.slice(i, i + perBatch);
        const sets = flds.map((f) => {
          const cases = batch.map((o) => sql`when ${pkCol} = ${param(meta.pk, o.pk)} then cast(${param(f, o[f.attname])} as ${sql.raw(f.dbType())})`);
          return sql`${sql.id(f.column)} = case ${sql.join(cases, sql` `)} end`;
        });
        const res = await execute(alias, sql`update ${sql.id(meta.table)} set ${sql.join(sets)} where ${pkCol} in (${sql.join(batch.map((o) => param(meta.pk, o.pk)))})`);
        total += Number(res.numAffectedRows ?? 0n);
      }
    }, { using: alias });
    return total;
  }

  /** `[object, created]`: the one row matching `lookup`, or a new one from lookup + defaults (safe against a concurrent insert of a unique key). */
  async getOrCreate(lookup: Lookups, defaults: Partial<C> = {}): Promise<[T, boolean]> {
    try {
      return [await this.get(lookup), false];
    } catch (err) {
      if (!(err instanceof this.model.DoesNotExist)) throw err;
    }
    const data = { ...plainLookups(lookup), ...defaults };
    try {
      return [await atomic(() => this.create(data as C), { using: this.writeAlias }), true];
    } catch (err) {
      if (err instanceof IntegrityError && err.sqlState === '23505') return [await this.get(lookup), false];
      throw err;
    }
  }

  /** `[object, created]`: updates the row matching `lookup` with `defaults`, or creates it. */
  async updateOrCreate(lookup: Lookups, defaults: Partial<C> = {}): Promise<[T, boolean]> {
    return atomic(async () => {
      const found = await this.get(lookup).catch((err: unknown) => {
        if (err instanceof this.model.DoesNotExist) return null;
        throw err;
      });
      if (found === null) return [await this.create({ ...plainLookups(lookup), ...defaults } as C), true] as [T, boolean];
      const obj = found as unknown as AnyInstance & Record<string, unknown>;
      for (const [k, v] of Object.entries(defaults)) obj[k] = v;
      await obj.save({ using: this.writeAlias });
      return [found, false] as [T, boolean];
    }, { using: this.writeAlias });
  }

  /** Instances from raw SQL; values go in `params` ($1, $2, ...), never into the text. */
  raw(text: string, params: readonly unknown[] = []): Promise<T[]> {
    return rawInstances<T>(this.model, text, params, this.state.using ?? undefined);
  }
}

const placeholderCache = new Map<string, string>();

/** `($1, $2), ($3, $4)` for rows × columns; the same shapes recur (batch sizes), so the text is kept. */
function placeholders(rows: number, columns: number): string {
  const key = `${rows}x${columns}`;
  let text = placeholderCache.get(key);
  if (text === undefined) {
    const tuples: string[] = new Array(rows);
    for (let r = 0, k = 1; r < rows; r++) {
      const marks: string[] = new Array(columns);
      for (let c = 0; c < columns; c++) marks[c] = `$${k++}`;
      tuples[r] = `(${marks.join(', ')})`;
    }
    text = tuples.join(', ');
    if (placeholderCache.size >= 16) placeholderCache.clear();
    placeholderCache.set(key, text);
  }
  return text;
}

function toQ(c: Filter): Q { return c instanceof Q ? c : new Q([c]); }

function nonNegative(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0) throw new FieldError(`${what} must be a non-negative integer, got ${String(n)}.`);
  return n;
}

function plainLookups(lookup: Lookups): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(lookup)) {
    if (k.includes('__')) { if (k.endsWith('__exact')) out[k.slice(0, -7)] = v; continue; }
    out[k] = v;
  }
  return out;
}

function describeConds(conds: Filter[]): string {
  if (conds.length !== 1 || conds[0] instanceof Q) return '';
  try {
    const text = JSON.stringify(conds[0]);
    return text.length < 120 ? ` ${text}` : '';
  } catch {
    return '';
  }
}

// toSQL() compiles without a connection: Kysely only needs the executor's compiler.
import { Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, DummyDriver } from 'kysely';
const dummyCompilerHost = new Kysely<Record<string, never>>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

// ---------------------------------------------------------------- related managers

/** `user.posts`: the QuerySet of one instance's reverse foreign key rows, with create/add helpers. */
export class RelatedManager<T> extends QuerySet<T> {
  readonly instance: AnyInstance;
  readonly rel: RelatedObject;

  constructor(model: AnyModelClass, state: QueryState, instance: AnyInstance, rel: RelatedObject, prefetched?: readonly T[]) {
    super(model, state, prefetched);
    this.instance = instance;
    this.rel = rel;
  }

  static of(instance: AnyInstance, rel: RelatedObject, prefetched?: AnyInstance[]): RelatedManager<AnyInstance> {
    const fk = rel.field as ForeignKey;
    const key = (instance as Record<string, unknown>)[fk.targetField().attname];
    const state: QueryState = { ...emptyState, where: [new Q([{ [fk.name]: key }])], using: instance[STATE]?.db ?? null };
    return new RelatedManager(rel.model, state, instance, rel, prefetched);
  }

  protected override clone<U = T>(patch: Partial<QueryState>): QuerySet<U, Record<string, unknown>> {
    // all() keeps the prefetched rows (Django's prefetch cache); any other change means a new query.
    const keep = Object.keys(patch).length === 0 ? this.prefetched as readonly U[] | undefined : undefined;
    return new RelatedManager<U>(this.model, { ...this.state, ...patch }, this.instance, this.rel, keep);
  }

  override async create(data: object): Promise<T> {
    const fk = this.rel.field as ForeignKey;
    return super.create({ ...data, [fk.name]: this.instance });
  }

  protected override notLoadedMessage(): string {
    const owner = (this.instance.constructor as AnyModelClass)._meta;
    return `${owner.label}.${this.rel.accessor} is not loaded, so it cannot be looped over synchronously (a template's for loop): `
      + `add .prefetchRelated('${this.rel.accessor}') to the query that loaded the ${owner.modelName}, or pass \`await obj.${this.rel.accessor}\` to the template.`;
  }

  /** Points existing objects at this instance (saving each). */
  async add(...objs: ModelBase[]): Promise<void> {
    const fk = this.rel.field as ForeignKey;
    for (const o of objs) {
      (o as unknown as Record<string, unknown>)[fk.name] = this.instance;
      await o.save();
    }
  }
}

/** `post.tags` / `tag.posts`: many-to-many rows of one instance, with add, remove, set and clear on the join table. */
export class ManyRelatedManager<T> extends QuerySet<T> {
  readonly instance: AnyInstance;
  readonly field: ManyToManyField;
  /** true when the manager reads from the field's own side (post.tags), false from the reverse (tag.posts). */
  readonly forwardSide: boolean;

  constructor(model: AnyModelClass, state: QueryState, instance: AnyInstance, field: ManyToManyField, forwardSide: boolean, prefetched?: readonly T[]) {
    super(model, state, prefetched);
    this.instance = instance;
    this.field = field;
    this.forwardSide = forwardSide;
  }

  static forward(instance: AnyInstance, field: ManyToManyField, prefetched?: AnyInstance[]): ManyRelatedManager<AnyInstance> {
    const target = field.related();
    const back = target._meta.relatedObjects().find((r) => r.field === field);
    if (!back) throw new FieldError(`${field.modelLabel}.${field.name}: the reverse relation could not be found.`);
    const state: QueryState = { ...emptyState, where: [new Q([{ [back.queryNames[0] as string]: instance.pk }])], using: instance[STATE]?.db ?? null };
    return new ManyRelatedManager(target, state, instance, field, true, prefetched);
  }

  static reverse(instance: AnyInstance, rel: RelatedObject, prefetched?: AnyInstance[]): ManyRelatedManager<AnyInstance> {
    const field = rel.field as ManyToManyField;
    const state: QueryState = { ...emptyState, where: [new Q([{ [field.name]: instance.pk }])], using: instance[STATE]?.db ?? null };
    return new ManyRelatedManager(rel.model, state, instance, field, false, prefetched);
  }

  protected override clone<U = T>(patch: Partial<QueryState>): QuerySet<U, Record<string, unknown>> {
    const keep = Object.keys(patch).length === 0 ? this.prefetched as readonly U[] | undefined : undefined;
    return new ManyRelatedManager<U>(this.model, { ...this.state, ...patch }, this.instance, this.field, this.forwardSide, keep);
  }

  #columns(): { table: string; mine: string; theirs: string } {
    const th = throughInfo(this.field);
    if (th.model) throw new FieldError(`${this.field.modelLabel}.${this.field.name} uses the through model ${th.model._meta.label}: create and delete its rows directly.`);
    return this.forwardSide
      ? { table: th.table, mine: th.sourceColumn, theirs: th.targetColumn }
      : { table: th.table, mine: th.targetColumn, theirs: th.sourceColumn };
  }

  #ids(objs: ReadonlyArray<ModelBase | number | string>): unknown[] {
    return objs.map((o) => (typeof o === 'object' && o !== null && STATE in o ? (o as ModelBase).pk : o));
  }

  async add(...objs: Array<ModelBase | number | string>): Promise<void> {
    const { table, mine, theirs } = this.#columns();
    this.#checkRelations(objs);
    let ids = this.#ids(objs);
    if (!ids.length) return;
    const me = this.instance.pk;
    const signal = m2mChanged.hasReceivers(this.#sender());
    if (signal) {
      // Receivers are told only about the keys that are not related yet (as Django's pk_set).
      const present = (await execute<Record<string, unknown>>(this.writeAlias, sql`select ${sql.id(theirs)} as "k" from ${sql.id(table)} where ${sql.id(mine)} = ${me} and ${sql.id(theirs)} in (${sql.join(ids)})`)).rows;
      const have = new Set(present.map((r) => keyOf(r.k)));
      ids = unique(ids).filter((id) => !have.has(keyOf(id)));
      await this.#send('preAdd', new Set(ids));
      if (!ids.length) return this.#send('postAdd', new Set());
    }
    const rows = ids.map((id) => sql`(${me}, ${id})`);
    await execute(this.writeAlias, sql`insert into ${sql.id(table)} (${sql.id(mine)}, ${sql.id(theirs)}) values ${sql.join(rows)} on conflict do nothing`);
    this.instance[CACHE]?.delete(this.#cacheKey());
    if (signal) await this.#send('postAdd', new Set(ids));
  }

  async remove(...objs: Array<ModelBase | number | string>): Promise<void> {
    const { table, mine, theirs } = this.#columns();
    const ids = this.#ids(objs);
    if (!ids.length) return;
    const signal = m2mChanged.hasReceivers(this.#sender());
    if (signal) await this.#send('preRemove', new Set(ids));
    await execute(this.writeAlias, sql`delete from ${sql.id(table)} where ${sql.id(mine)} = ${this.instance.pk} and ${sql.id(theirs)} in (${sql.join(ids)})`);
    this.instance[CACHE]?.delete(this.#cacheKey());
    if (signal) await this.#send('postRemove', new Set(ids));
  }

  async clear(): Promise<void> {
    const { table, mine } = this.#columns();
    const signal = m2mChanged.hasReceivers(this.#sender());
    if (signal) await this.#send('preClear', null);
    await execute(this.writeAlias, sql`delete from ${sql.id(table)} where ${sql.id(mine)} = ${this.instance.pk}`);
    this.instance[CACHE]?.delete(this.#cacheKey());
    if (signal) await this.#send('postClear', null);
  }

  /** The model m2mChanged names as sender: the field's through model when it has one, else the model declaring it. */
  #sender(): AnyModelClass {
    const th = throughInfo(this.field);
    return th.model ?? this.model._meta.registry.get(this.field.modelLabel);
  }

  #send(action: M2MAction, pkSet: Set<unknown> | null): Promise<void> {
    return m2mChanged.send({
      sender: this.#sender(), instance: this.instance, action, reverse: !this.forwardSide, model: this.model,
      pkSet, field: this.field, using: this.writeAlias,
    });
  }

  /** DATABASE_ROUTERS' allowRelation: objects from databases the routers keep apart cannot be related. */
  #checkRelations(objs: ReadonlyArray<ModelBase | number | string>): void {
    for (const o of objs) if (o instanceof ModelBase) assertRelationAllowed(this.instance, o as unknown as AnyInstance, this.field.name);
  }

  /** Makes the related set exactly `objs` (one transaction). */
  async set(objs: ReadonlyArray<ModelBase | number | string>): Promise<void> {
    await atomic(async () => {
      await this.clear();
      await this.add(...objs);
    }, { using: this.writeAlias });
  }

  override async create(data: object): Promise<T> {
    return atomic(async () => {
      const obj = await super.create(data as Record<string, unknown>);
      await this.add(obj as unknown as AnyInstance);
      return obj;
    }, { using: this.writeAlias });
  }

  protected override notLoadedMessage(): string {
    const owner = (this.instance.constructor as AnyModelClass)._meta;
    const name = this.#cacheKey();
    return `${owner.label}.${name} is not loaded, so it cannot be looped over synchronously (a template's for loop): `
      + `add .prefetchRelated('${name}') to the query that loaded the ${owner.modelName}, or pass \`await obj.${name}\` to the template.`;
  }

  #cacheKey(): string {
    if (this.forwardSide) return this.field.name;
    const rel = this.model._meta.registry.get(this.field.related()._meta.label)._meta.relatedObjects().find((r) => r.field === this.field);
    return rel?.accessor ?? '';
  }
}

// ---------------------------------------------------------------- prefetchRelated

/** Loads each path for all `objs` with one query per relation level and caches the results on the instances. */
async function prefetch(model: AnyModelClass, objs: AnyInstance[], paths: readonly string[], alias: string): Promise<void> {
  const groups = new Map<string, string[]>();
  for (const p of paths) {
    const [head, ...rest] = p.split('__') as [string, ...string[]];
    groups.set(head, [...(groups.get(head) ?? []), ...(rest.length ? [rest.join('__')] : [])]);
  }
  for (const [name, nested] of groups) {
    const meta = model._meta;
    const f = meta.maybeField(name);
    let loaded: AnyInstance[] = [];
    let target: AnyModelClass;
    if (f instanceof ForeignKey) {
      target = f.related();
      const tf = f.targetField();
      const keys = unique(objs.map((o) => (o as Record<string, unknown>)[f.attname]).filter((v) => v !== null && v !== undefined));
      loaded = keys.length ? await target.objects.using(alias).orderBy().filter({ [`${tf.name}__in`]: keys }).fetch() : [];
      const byKey = new Map(loaded.map((o) => [keyOf((o as Record<string, unknown>)[tf.attname]), o]));
      for (const o of objs) {
        const k = (o as Record<string, unknown>)[f.attname];
        setCached(o, f.name, k === null || k === undefined ? null : byKey.get(keyOf(k)) ?? null);
      }
    } else if (f instanceof ManyToManyField) {
      target = f.related();
      const th = throughInfo(f);
      const ids = unique(objs.map((o) => o.pk));
      const c = new Compiler(target, 'p');
      const cols = target._meta.concreteFields.map((x) => sql.id(c.alias, x.column));
      const rows = (await execute<Record<string, unknown>>(alias, sql`select ${sql.join(cols)}, ${sql.id('j', th.sourceColumn)} as "_src" from ${sql.id(target._meta.table)} as ${sql.id(c.alias)} join ${sql.id(th.table)} as "j" on ${sql.id('j', th.targetColumn)} = ${sql.id(c.alias, target._meta.pk.column)} where ${sql.id('j', th.sourceColumn)} in (${sql.join(ids.map((id) => param(meta.pk, id)))})${orderSql(target, c)}`)).rows;
      const bySrc = new Map<string, AnyInstance[]>();
      const seen = new Map<string, AnyInstance>();
      for (const row of rows) {
        const inst = fromRow(target, row, '', alias);
        const k = keyOf(inst.pk);
        const shared = seen.get(k) ?? inst;
        seen.set(k, shared);
        const src = keyOf(meta.pk.fromDb(row._src));
        bySrc.set(src, [...(bySrc.get(src) ?? []), shared]);
      }
      loaded = [...seen.values()];
      for (const o of objs) setCached(o, f.name, bySrc.get(keyOf(o.pk)) ?? []);
    } else {
      const rel = meta.relatedObject(name);
      if (!rel) throw new FieldError(`prefetchRelated("${name}"): ${meta.label} has no relation "${name}".`);
      target = rel.model;
      if (rel.field instanceof ManyToManyField) {
        const th = throughInfo(rel.field);
        const ids = unique(objs.map((o) => o.pk));
        const c = new Compiler(target, 'p');
        const cols = target._meta.concreteFields.map((x) => sql.id(c.alias, x.column));
        const rows = (await execute<Record<string, unknown>>(alias, sql`select ${sql.join(cols)}, ${sql.id('j', th.targetColumn)} as "_src" from ${sql.id(target._meta.table)} as ${sql.id(c.alias)} join ${sql.id(th.table)} as "j" on ${sql.id('j', th.sourceColumn)} = ${sql.id(c.alias, target._meta.pk.column)} where ${sql.id('j', th.targetColumn)} in (${sql.join(ids.map((id) => param(meta.pk, id)))})${orderSql(target, c)}`)).rows;
        const bySrc = new Map<string, AnyInstance[]>();
        for (const row of rows) {
          const inst = fromRow(target, row, '', alias);
          loaded.push(inst);
          const src = keyOf(meta.pk.fromDb(row._src));
          bySrc.set(src, [...(bySrc.get(src) ?? []), inst]);
        }
        for (const o of objs) setCached(o, rel.accessor, bySrc.get(keyOf(o.pk)) ?? []);
      } else {
        const fk = rel.field;
        const tf = fk.targetField();
        const keys = unique(objs.map((o) => (o as Record<string, unknown>)[tf.attname]));
        loaded = await target.objects.using(alias).filter({ [`${fk.name}__in`]: keys }).fetch();
        const byOwner = new Map<string, AnyInstance[]>();
        for (const r of loaded) {
          const k = keyOf((r as Record<string, unknown>)[fk.attname]);
          byOwner.set(k, [...(byOwner.get(k) ?? []), r]);
        }
        for (const o of objs) {
          const mine = byOwner.get(keyOf((o as Record<string, unknown>)[tf.attname])) ?? [];
          setCached(o, rel.accessor, rel.multiple ? mine : mine[0] ?? null);
          for (const r of mine) setCached(r, fk.name, o);
        }
      }
    }
    if (nested.length && loaded.length) await prefetch(target, loaded, nested, alias);
  }
}

function orderSql(model: AnyModelClass, c: Compiler): Expr {
  const order = c.orderBy(model._meta.ordering);
  return order.length ? sql` order by ${sql.join(order)}` as Expr : sql`` as Expr;
}

function unique(values: unknown[]): unknown[] {
  const seen = new Map<string, unknown>();
  for (const v of values) seen.set(keyOf(v), v);
  return [...seen.values()];
}

function keyOf(v: unknown): string { return typeof v === 'bigint' ? `${v}` : String(v); }

export { getCached };

markAltersData(QuerySet.prototype, ['delete', 'update', 'create', 'bulkCreate', 'bulkUpdate', 'getOrCreate', 'updateOrCreate']);
markAltersData(RelatedManager.prototype, ['add', 'create']);
markAltersData(ManyRelatedManager.prototype, ['add', 'remove', 'clear', 'set', 'create']);
