// Query expressions: Q (and / or / not over lookups), F (a reference to a field, with arithmetic) and aggregates.

/** A filter object: `{ title__icontains: 'x', author__username: 'ann' }` (keys are fields, `__lookups` and relations). */
export type Lookups = Record<string, unknown>;

/** A tree of lookups: Q({ a: 1 }).or(Q({ b__gt: 2 })).not(). */
export class Q {
  readonly children: ReadonlyArray<Q | Lookups>;
  readonly connector: 'and' | 'or';
  readonly negated: boolean;

  constructor(children: ReadonlyArray<Q | Lookups> = [], connector: 'and' | 'or' = 'and', negated = false) {
    this.children = children;
    this.connector = connector;
    this.negated = negated;
  }

  and(...others: Array<Q | Lookups>): Q { return new Q([this, ...others], 'and'); }
  or(...others: Array<Q | Lookups>): Q { return new Q([this, ...others], 'or'); }
  not(): Q { return new Q(this.children, this.connector, !this.negated); }
}

/** Q-style constructors: `or({ a: 1 }, { b: 2 })`, `not({ c: 3 })`. */
export const q = (lookups: Lookups): Q => new Q([lookups]);
/** All of the parts: `and({ a: 1 }, { b: 2 })`. */
export const and = (...parts: Array<Q | Lookups>): Q => new Q(parts, 'and');
/** Any of the parts: `filter(or({ status: 'live' }, { author: user }))`. */
export const or = (...parts: Array<Q | Lookups>): Q => new Q(parts, 'or');
/** The opposite of the part: `filter(not({ title__startswith: 'Re:' }))`. */
export const not = (part: Q | Lookups): Q => new Q([part], 'and', true);

export type ArithmeticOp = '+' | '-' | '*' | '/';

/** A field reference (`F('views')`, `F('author__id')`), usable in filters, updates, annotations and ordering. */
export class FieldRef {
  readonly name: string;
  readonly ops: ReadonlyArray<{ op: ArithmeticOp; value: number | FieldRef }>;
  constructor(name: string, ops: ReadonlyArray<{ op: ArithmeticOp; value: number | FieldRef }> = []) {
    this.name = name;
    this.ops = ops;
  }
  plus(v: number | FieldRef): FieldRef { return new FieldRef(this.name, [...this.ops, { op: '+', value: v }]); }
  minus(v: number | FieldRef): FieldRef { return new FieldRef(this.name, [...this.ops, { op: '-', value: v }]); }
  times(v: number | FieldRef): FieldRef { return new FieldRef(this.name, [...this.ops, { op: '*', value: v }]); }
  div(v: number | FieldRef): FieldRef { return new FieldRef(this.name, [...this.ops, { op: '/', value: v }]); }
}

/** `F('views')`: a reference to a field (no `new`, as in Django). */
export const F = (name: string): FieldRef => new FieldRef(name);
/** The same as F. */
export const f = F;

export type AggregateFn = 'count' | 'sum' | 'avg' | 'min' | 'max';

/** A computed value over rows (Count, Sum, Avg, Min, Max), for aggregate() and annotate(). */
export class Aggregate {
  readonly fn: AggregateFn;
  readonly field: string;
  readonly distinct: boolean;
  readonly filter: Q | undefined;
  constructor(fn: AggregateFn, field: string, opts: { distinct?: boolean; filter?: Q | Lookups } = {}) {
    this.fn = fn;
    this.field = field;
    this.distinct = opts.distinct ?? false;
    this.filter = opts.filter === undefined ? undefined : opts.filter instanceof Q ? opts.filter : new Q([opts.filter]);
  }
}

type AggOpts = { distinct?: boolean; filter?: Q | Lookups };
/** How many rows (or non-null values of `field`); `{ distinct, filter }`. */
export const Count = (field = '*', opts?: AggOpts): Aggregate => new Aggregate('count', field, opts);
/** The sum of a field. */
export const Sum = (field: string, opts?: AggOpts): Aggregate => new Aggregate('sum', field, opts);
/** The average of a field. */
export const Avg = (field: string, opts?: AggOpts): Aggregate => new Aggregate('avg', field, opts);
/** The smallest value of a field. */
export const Min = (field: string, opts?: AggOpts): Aggregate => new Aggregate('min', field, opts);
/** The largest value of a field. */
export const Max = (field: string, opts?: AggOpts): Aggregate => new Aggregate('max', field, opts);
