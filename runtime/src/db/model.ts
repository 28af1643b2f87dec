// model(): builds a model class from field definitions, registers it as 'app.Model', and gives instances their typed fields.
import { CompiledQuery, sql } from 'kysely';
import type { Translatable } from '../i18n/lazy.js';
import { allowRelation, execute, readAlias, routeWrite } from './connections.js';
import {
  FieldError, ModelDefinitionError, MultipleObjectsReturned, NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError, type ValidationIssue,
} from '../errors.js';
import {
  AutoField, DateTimeField, Field, FileField, ForeignKey, ManyToManyField, OneToOneField, setModelResolver,
  type ModelRef,
} from './fields.js';
import type { FieldFile, FileContent } from '../files/file.js';
import { QuerySet, RelatedManager, ManyRelatedManager } from './queryset.js';
import { postSave, preSave } from './signals.js';
import { deleteObjects, type DeleteResult } from './deletion.js';
import type { Q } from './expressions.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the widest field, only used in type-level matching
type AnyField = Field<any, any, any>;
export type FieldDefs = Record<string, AnyField>;

type Val<F> = F extends { __value: infer T; __null: infer N } ? (N extends true ? T | null : T) : never;
type FkId<TI> = TI extends { id: infer P } ? (unknown extends P ? number : P) : number;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type FKKeys<D> = { [K in keyof D]: D[K] extends ForeignKey<any, any, any> ? K : never }[keyof D];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type M2MKeys<D> = { [K in keyof D]: D[K] extends ManyToManyField<any> ? K : never }[keyof D];
type PlainKeys<D> = Exclude<keyof D, M2MKeys<D>>;
type OptionalKeys<D> = { [K in PlainKeys<D>]: D[K] extends { __optional: true } ? K : D[K] extends ForeignKey<unknown> ? K : never }[PlainKeys<D>];

/** The data fields of an instance, typed from the definition: `author` is the related instance, `authorId` its key. */
export type InstanceFields<D> = { -readonly [K in PlainKeys<D>]: Val<D[K]> }
  & { -readonly [K in FKKeys<D> as `${K & string}Id`]: D[K] extends ForeignKey<infer TI, infer N> ? (N extends true ? FkId<TI> | null : FkId<TI>) : never }
  & { readonly [K in M2MKeys<D>]: D[K] extends ManyToManyField<infer TI> ? ManyRelatedManager<TI & AnyInstance> : never }
  & ('id' extends keyof D ? unknown : { id: number });

/** What create() and the constructor accept: required fields, optional ones (defaults, null, auto), and `<fk>Id` keys. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type FileKeys<D> = { [K in keyof D]: D[K] extends FileField<any, any> ? K : never }[keyof D];

export type CreateInput<D> = { [K in Exclude<PlainKeys<D>, OptionalKeys<D> | FileKeys<D>>]: Val<D[K]> }
  & { [K in Exclude<OptionalKeys<D>, FKKeys<D> | FileKeys<D>>]?: Val<D[K]> }
  // A file field takes an upload (or contentFile()) to store, a stored file, or a stored name.
  & { [K in FileKeys<D>]?: FieldFile | FileContent | string | null }
  // A foreign key takes the related instance or its key.
  & { [K in FKKeys<D>]?: D[K] extends ForeignKey<infer TI, infer N> ? (N extends true ? TI | FkId<TI> | null : TI | FkId<TI>) : never }
  & { [K in FKKeys<D> as `${K & string}Id`]?: D[K] extends ForeignKey<infer TI, infer N> ? (N extends true ? FkId<TI> | null : FkId<TI>) : never }
  & { id?: number };

/** A phantom key (types only) carrying a model's create() input on its instances, so Manager<Subclass> can find it. */
export declare const createInputKey: unique symbol;

export type ModelInstance<D> = ModelBase & InstanceFields<D> & { readonly [createInputKey]?: CreateInput<D> };

/**
 * The type of `objects` on a model subclass, for the type checker (at run time `Question.objects` already builds
 * Question instances): `class Question extends model(...) { declare static objects: Manager<Question>; ... }`.
 */
export type Manager<I> = QuerySet<I, I extends { readonly [createInputKey]?: infer C } ? Extract<Exclude<C, undefined>, object> : Record<string, unknown>>;
/**
 * Any model instance, when the model is not known statically. The index signature is `any` on purpose: it is the
 * only kind TypeScript lets a class-based instance type (every typed model instance) be assigned to.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyInstance = ModelBase & { [key: string]: any };
/** The instance type of a model class: `type Post = Instance<typeof Post>`. */
export type Instance<C> = C extends { prototype: infer I } ? I : never;

export interface IndexSpec { name?: string; fields: string[]; unique?: boolean }
export interface ConstraintSpec { name: string; type: 'check' | 'unique'; fields?: string[]; check?: Q | Record<string, unknown> }

export interface MetaOptions {
  /** Default ordering: field names, '-' for descending. */
  ordering?: string[];
  dbTable?: string;
  indexes?: IndexSpec[];
  uniqueTogether?: string[][];
  constraints?: ConstraintSpec[];
  /** false: makemigrations leaves the table alone (it exists already or belongs to someone else). */
  managed?: boolean;
  /** How people call one object ('blog post'); gettextLazy('...') to translate it. */
  verboseName?: Translatable;
  verboseNamePlural?: Translatable;
}

export interface ModelClass<D extends FieldDefs> {
  new (data?: CreateInput<D>): ModelInstance<D>;
  readonly prototype: ModelInstance<D>;
  readonly objects: QuerySet<ModelInstance<D>, CreateInput<D>>;
  readonly _meta: ModelMeta;
  readonly DoesNotExist: new (message: string) => ObjectDoesNotExist;
  readonly MultipleObjectsReturned: new (message: string) => MultipleObjectsReturned;
  readonly name: string;
}

export interface AnyModelClass {
  new (data?: Record<string, unknown>): AnyInstance;
  readonly prototype: AnyInstance;
  readonly objects: QuerySet<AnyInstance>;
  readonly _meta: ModelMeta;
  readonly DoesNotExist: new (message: string) => ObjectDoesNotExist;
  readonly MultipleObjectsReturned: new (message: string) => MultipleObjectsReturned;
  readonly name: string;
}

/** A reverse relation: the field on another model pointing here. */
export interface RelatedObject {
  /** The accessor on instances (relatedName, else `<model>Set`; one-to-one: the model name). */
  accessor: string;
  /** Names usable in lookups (relatedName, else the lower-cased model name and the accessor). */
  queryNames: string[];
  field: ForeignKey | ManyToManyField;
  model: AnyModelClass;
  multiple: boolean;
}

// ---------------------------------------------------------------- registry

/** Models by 'app.Model'. Migrations build their own (historical) registries. */
export class Registry {
  readonly models = new Map<string, AnyModelClass>();
  #version = 0;

  register(cls: AnyModelClass): void {
    const label = cls._meta.label;
    if (this.models.has(label)) throw new ModelDefinitionError(`Model ${label} is already defined; each 'app.Model' label must be unique.`);
    this.models.set(label, cls);
    this.#version++;
  }

  unregister(label: string): void { if (this.models.delete(label)) this.#version++; }

  /**
   * Makes `cls`, a subclass of a registered model's class, the class of that model: every instance built from then
   * on (loaded, created, fetched through a relation) is one of it, with its methods and getters. A deeper subclass
   * replaces its parent; two unrelated subclasses of one model are an error (a model has one class).
   */
  adopt(cls: AnyModelClass): void {
    const meta = cls._meta;
    const current = meta.modelClass;
    if (cls === current || current.prototype instanceof cls) return;
    if (!(cls.prototype instanceof current)) {
      throw new ModelDefinitionError(`${meta.label} has two classes, ${current.name} and ${cls.name}, neither extending the other. `
        + `A model has one class: subclass model('${meta.label}', ...) once and put every method there.`);
    }
    meta.setModelClass(cls);
    if (this.models.get(meta.label) !== undefined) {
      this.models.set(meta.label, cls);
      this.#version++;
    }
  }
  get version(): number { return this.#version; }

  get(label: string): AnyModelClass {
    const m = this.models.get(label);
    if (!m) {
      const lower = [...this.models.keys()].find((k) => k.toLowerCase() === label.toLowerCase());
      if (lower) return this.models.get(lower) as AnyModelClass;
      throw new ModelDefinitionError(`No model "${label}" is registered. Define it with model('${label}', {...}) and import its app's models before use.`);
    }
    return m;
  }

  resolve(ref: string, from: string): AnyModelClass {
    if (ref === 'self') return this.get(from);
    return this.get(ref.includes('.') ? ref : `${from.split('.')[0]}.${ref}`);
  }

  forApp(app: string): AnyModelClass[] { return [...this.models.values()].filter((m) => m._meta.app === app); }
}

export const registry = new Registry();
setModelResolver((ref, from) => registry.resolve(ref, from));

// ---------------------------------------------------------------- meta

export class ModelMeta {
  readonly label: string;
  readonly app: string;
  readonly modelName: string;
  readonly table: string;
  readonly fields: Field[];
  readonly concreteFields: Field[];
  readonly manyToMany: ManyToManyField[];
  readonly pk: Field;
  readonly ordering: string[];
  readonly indexes: IndexSpec[];
  readonly uniqueTogether: string[][];
  readonly constraints: ConstraintSpec[];
  readonly managed: boolean;
  readonly options: MetaOptions;
  readonly registry: Registry;
  /** What instances are made of: the model's class, or the subclass a site defined with its methods (see Registry.adopt). */
  #modelClass: AnyModelClass | undefined;
  /** The class model() generated, which holds the field accessors. */
  #generatedClass: AnyModelClass | undefined;
  #byName = new Map<string, Field>();
  #related: RelatedObject[] | null = null;
  #relatedVersion = -1;

  constructor(label: string, fieldList: Field[], options: MetaOptions, reg: Registry) {
    const [app, modelName] = label.split('.') as [string, string];
    this.label = label;
    this.app = app;
    this.modelName = modelName;
    this.table = options.dbTable ?? `${app}_${modelName.toLowerCase()}`;
    if (!/^[a-z_][a-z0-9_]*$/.test(this.table) || this.table.length > 63) {
      throw new ModelDefinitionError(`${label}: table name "${this.table}" must be lower-case letters, digits and _ (at most 63); set dbTable.`);
    }
    this.fields = fieldList;
    this.concreteFields = fieldList.filter((f) => f.concrete);
    this.manyToMany = fieldList.filter((f): f is ManyToManyField => f instanceof ManyToManyField);
    const pks = fieldList.filter((f) => f.primaryKey);
    if (pks.length !== 1) throw new ModelDefinitionError(`${label}: a model has exactly one primary key field (found ${pks.length}).`);
    this.pk = pks[0] as Field;
    for (const f of fieldList) {
      this.#byName.set(f.name, f);
      if (f.attname !== f.name) this.#byName.set(f.attname, f);
    }
    this.ordering = options.ordering ?? [];
    this.indexes = options.indexes ?? [];
    this.uniqueTogether = options.uniqueTogether ?? [];
    this.constraints = options.constraints ?? [];
    this.managed = options.managed ?? true;
    this.options = options;
    this.registry = reg;
  }

  get modelClass(): AnyModelClass {
    if (!this.#modelClass) throw new ModelDefinitionError(`${this.label} is still being defined.`);
    return this.#modelClass;
  }

  get generatedClass(): AnyModelClass {
    if (!this.#generatedClass) throw new ModelDefinitionError(`${this.label} is still being defined.`);
    return this.#generatedClass;
  }

  /** The prototype of every instance built from a row (the model class's, or its adopted subclass's). */
  instancePrototype: object = Object.prototype;

  setModelClass(cls: AnyModelClass): void {
    this.#generatedClass ??= cls;
    this.#modelClass = cls;
    this.instancePrototype = cls.prototype as unknown as object;
  }

  /** verboseName when set (translated at each read when lazy), else the model's name in words ("log entry" for LogEntry). */
  get verboseName(): string {
    return String(this.options.verboseName ?? this.modelName.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase());
  }

  /** verboseNamePlural when set, else the English plural of verboseName ("entries", "boxes", "categories"). */
  get verboseNamePlural(): string {
    return String(this.options.verboseNamePlural ?? pluralise(this.verboseName));
  }

  /** A field by name (or attname, or 'pk'); FieldError lists the choices otherwise. */
  field(name: string): Field {
    const f = name === 'pk' ? this.pk : this.#byName.get(name);
    if (!f) throw new FieldError(`${this.label} has no field "${name}". Choices are: ${this.fields.map((x) => x.name).join(', ')}.`);
    return f;
  }

  maybeField(name: string): Field | undefined { return name === 'pk' ? this.pk : this.#byName.get(name); }

  /** Reverse relations, found by scanning the registry (models may be defined in any order). */
  relatedObjects(): RelatedObject[] {
    if (this.#related && this.#relatedVersion === this.registry.version) return this.#related;
    const out: RelatedObject[] = [];
    for (const other of this.registry.models.values()) {
      for (const f of other._meta.fields) {
        if (!(f instanceof ForeignKey || f instanceof ManyToManyField)) continue;
        let target: AnyModelClass;
        try { target = f.related(); } catch { continue; }
        if (target._meta.label !== this.label) continue;
        const lower = other._meta.modelName.charAt(0).toLowerCase() + other._meta.modelName.slice(1);
        const multiple = !(f instanceof OneToOneField);
        const accessor = f.relatedName ?? (multiple ? `${lower}Set` : lower);
        out.push({ accessor, queryNames: f.relatedName ? [f.relatedName] : [lower, accessor], field: f, model: other, multiple });
      }
    }
    this.#related = out;
    this.#relatedVersion = this.registry.version;
    return out;
  }

  relatedObject(name: string): RelatedObject | undefined {
    return this.relatedObjects().find((r) => r.queryNames.includes(name) || r.accessor === name);
  }
}

// ---------------------------------------------------------------- instances

export const STATE = Symbol.for('paddock.state');
export const CACHE = Symbol('paddock.relatedCache');

export interface InstanceState { adding: boolean; db: string | undefined }

export interface SaveOptions {
  using?: string;
  updateFields?: readonly string[];
  /** INSERT even if the instance was loaded (a copy under a new key). */
  forceInsert?: boolean;
  /** UPDATE the row with this primary key even if the instance was built, not loaded; an error when no row has it. */
  forceUpdate?: boolean;
  /** Run fullClean() first. */
  validate?: boolean;
}

export class ModelBase {
  declare [STATE]: InstanceState;
  declare [CACHE]: Map<string, unknown> | undefined;
  static _meta: ModelMeta;

  constructor(data: Record<string, unknown> = {}) {
    const cls = new.target as unknown as AnyModelClass;
    const meta = cls._meta;
    if (cls !== meta.modelClass) meta.registry.adopt(cls);
    this[STATE] = { adding: true, db: undefined };
    const self = this as unknown as Record<string, unknown>;
    for (const f of meta.concreteFields) {
      if (f instanceof ForeignKey) {
        if (f.name in data) { self[f.name] = data[f.name]; continue; }
        self[f.attname] = f.attname in data ? data[f.attname] : f.getDefault() ?? null;
      } else {
        self[f.attname] = f.name in data ? data[f.name] : f.getDefault() ?? null;
      }
    }
    for (const key of Object.keys(data)) {
      const f = meta.maybeField(key);
      if (!f) throw new FieldError(`${meta.label} has no field "${key}". Choices are: ${meta.fields.map((x) => x.name).join(', ')}.`);
      if (f instanceof ManyToManyField) throw new FieldError(`${meta.label}.${key} is many-to-many: save the object, then use .${key}.set([...]).`);
    }
  }

  get pk(): unknown { return (this as unknown as Record<string, unknown>)[(this.constructor as AnyModelClass)._meta.pk.attname]; }
  set pk(v: unknown) { (this as unknown as Record<string, unknown>)[(this.constructor as AnyModelClass)._meta.pk.attname] = v; }

  /** The plain data of the instance: field values and annotations (related objects as their keys). */
  toJSON(): Record<string, unknown> { return { ...(this as unknown as Record<string, unknown>) }; }

  /**
   * Django's full_clean: every check in one pass, every problem reported at once — each field's own checks and
   * validators (cleanFields), the model's clean() hook, then unique and unique-together against the database
   * (validateUnique, skipping fields that already failed). Throws one ValidationError: issues by field name, the
   * model-wide ones under NON_FIELD_ERRORS ('__all__'). `exclude` leaves fields out (a form that does not edit them).
   */
  async fullClean(opts: { exclude?: readonly string[]; validateUnique?: boolean } = {}): Promise<void> {
    const errors: Record<string, ValidationIssue[]> = {};
    const collect = (err: unknown): void => {
      if (!(err instanceof ValidationError)) throw err;
      if (err.issues.length) (errors[NON_FIELD_ERRORS] ??= []).push(...err.issues);
      for (const [name, issues] of Object.entries(err.fieldIssues)) (errors[name] ??= []).push(...issues);
    };
    try { this.cleanFields(opts); } catch (err) { collect(err); }
    try { await this.clean(); } catch (err) { collect(err); }
    if (opts.validateUnique !== false) {
      try { await this.validateUnique({ exclude: [...(opts.exclude ?? []), ...Object.keys(errors)] }); } catch (err) { collect(err); }
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);
  }

  /** Each field's checks (null, blank, type, choices, its validators); throws ValidationError listing each field's problems. */
  cleanFields(opts: { exclude?: readonly string[] } = {}): void {
    const meta = (this.constructor as AnyModelClass)._meta;
    const errors: Record<string, ValidationIssue[]> = {};
    for (const f of meta.concreteFields) {
      if (opts.exclude?.includes(f.name)) continue;
      if (f.primaryKey && f instanceof AutoField) continue;
      if (f.options.autoNow || f.options.autoNowAdd) continue;
      const issues = f.validate((this as unknown as Record<string, unknown>)[f.attname]);
      if (issues.length) errors[f.name] = issues;
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);
  }

  /**
   * Checks across fields, for a subclass to override (Django's Model.clean): throw a ValidationError — a message for
   * the whole object, or `{ field: message }` to put it on fields. It may change values (normalise, fill in).
   */
  clean(): void | Promise<void> {}

  /**
   * Unique fields, uniqueTogether and unique constraints, checked against the database (this object's own row
   * excluded), so a duplicate is a ValidationError naming the field rather than an IntegrityError at save().
   * A check is skipped when one of its fields is excluded or empty (NULLs never collide).
   */
  async validateUnique(opts: { exclude?: readonly string[] } = {}): Promise<void> {
    const cls = this.constructor as AnyModelClass;
    const meta = cls._meta;
    const self = this as unknown as Record<string, unknown>;
    const checks: Array<{ fields: Field[]; together: boolean }> = [];
    for (const f of meta.concreteFields) {
      if (f.unique && !(f.primaryKey && f instanceof AutoField)) checks.push({ fields: [f], together: false });
    }
    const sets = [...meta.uniqueTogether, ...meta.constraints.filter((c) => c.type === 'unique' && c.fields?.length).map((c) => c.fields as string[])];
    for (const names of sets) checks.push({ fields: names.map((n) => meta.field(n)), together: true });
    const errors: Record<string, ValidationIssue[]> = {};
    const using = this[STATE].db ?? routeWrite(cls, { instance: this as unknown as AnyInstance });
    for (const { fields: group, together } of checks) {
      if (group.some((f) => opts.exclude?.includes(f.name))) continue;
      const values = group.map((f) => self[f.attname]);
      if (values.some((v) => v === null || v === undefined)) continue;
      let qs = cls.objects.using(using).filter(Object.fromEntries(group.map((f, i) => [f.attname, values[i]])));
      if (!this[STATE].adding && this.pk !== null && this.pk !== undefined) qs = qs.exclude({ pk: this.pk });
      if (!(await qs.exists())) continue;
      const label = (f: Field) => capitalise(String(f.options.verboseName ?? humanise(f.name)));
      const model = capitalise(meta.verboseName);
      if (together) {
        const names = group.map(label);
        const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names.join('');
        (errors[NON_FIELD_ERRORS] ??= []).push({ code: 'unique_together', message: `${model} with this ${list} already exists.`, params: { fields: group.map((f) => f.name) } });
      } else {
        const f = group[0] as Field;
        (errors[f.name] ??= []).push({ code: 'unique', message: `${model} with this ${label(f)} already exists.`, params: { field: f.name } });
      }
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);
  }

  /** Inserts (new object) or updates (loaded object) the row; sends preSave and postSave. */
  async save(opts: SaveOptions = {}): Promise<this> {
    const cls = this.constructor as AnyModelClass;
    const meta = cls._meta;
    const self = this as unknown as Record<string, unknown>;
    const using = opts.using ?? this[STATE].db ?? routeWrite(cls, { instance: this as unknown as AnyInstance });
    if (opts.validate) await this.fullClean();
    await preSave.send({ sender: cls, instance: this as unknown as AnyInstance, created: this[STATE].adding, using, updateFields: opts.updateFields });
    const now = new Date();
    for (const f of meta.concreteFields) {
      if (!(f instanceof DateTimeField)) continue;
      if (f.options.autoNow || (f.options.autoNowAdd && this[STATE].adding && self[f.attname] == null)) self[f.attname] = now;
    }
    if (opts.forceInsert && opts.forceUpdate) throw new FieldError('save() takes forceInsert or forceUpdate, not both.');
    // Fields' own last step (a file field stores its upload and keeps the name).
    for (const f of meta.concreteFields) {
      const pending = f.preSave(this as unknown as AnyInstance, this[STATE].adding);
      if (pending) await pending;
    }
    const adding = (this[STATE].adding && opts.forceUpdate !== true) || opts.forceInsert === true;
    let created = adding;
    if (!adding) {
      const names = opts.updateFields;
      const targets = meta.concreteFields.filter((f) => !f.primaryKey && (!names || names.includes(f.name) || names.includes(f.attname)
        || ((f.options.autoNow as boolean | undefined) === true)));
      if (names) for (const n of names) meta.field(n);
      const sets = targets.map((f) => sql`${sql.id(f.column)} = ${param(f, self[f.attname])}`);
      const res = sets.length === 0 ? { numAffectedRows: 1n }
        : await execute(using, sql`update ${sql.id(meta.table)} set ${sql.join(sets)} where ${sql.id(meta.pk.column)} = ${param(meta.pk, this.pk)}`);
      if ((res.numAffectedRows ?? 0n) === 0n) {
        if (opts.forceUpdate) throw new cls.DoesNotExist(`${meta.label} with pk ${String(this.pk)} does not exist, so save({ forceUpdate: true }) cannot update it.`);
        if (names) throw new FieldError(`${meta.label} with pk ${String(this.pk)} does not exist, so updateFields cannot update it.`);
        created = true;
      }
    }
    if (created) await insertRow(this as unknown as AnyInstance, using);
    this[STATE] = { adding: false, db: using };
    await postSave.send({ sender: cls, instance: this as unknown as AnyInstance, created, using, updateFields: opts.updateFields });
    return this;
  }

  /** Deletes the row and applies every onDelete rule pointing at it; returns the counts per model. */
  async delete(opts: { using?: string } = {}): Promise<DeleteResult> {
    const cls = this.constructor as AnyModelClass;
    const meta = cls._meta;
    if (this.pk === null || this.pk === undefined) throw new FieldError(`This ${meta.label} cannot be deleted: it has no primary key (it was never saved).`);
    const using = opts.using ?? this[STATE].db ?? routeWrite(cls, { instance: this as unknown as AnyInstance });
    const result = await deleteObjects(this.constructor as AnyModelClass, [this as unknown as AnyInstance], using);
    return result;
  }

  /** Reloads the fields from the database (and forgets loaded relations). */
  async refreshFromDb(opts: { using?: string } = {}): Promise<this> {
    const cls = this.constructor as AnyModelClass;
    const fresh = await cls.objects.using(opts.using ?? this[STATE].db ?? readAlias(cls, undefined, { instance: this as unknown as AnyInstance })).get({ pk: this.pk });
    for (const f of cls._meta.concreteFields) (this as unknown as Record<string, unknown>)[f.attname] = (fresh as Record<string, unknown>)[f.attname];
    this[CACHE] = undefined;
    return this;
  }

  /** Loads a forward relation (foreign key or one-to-one) that was not selected with selectRelated. */
  async fetchRelated<K extends string>(name: K): Promise<unknown> {
    const meta = (this.constructor as AnyModelClass)._meta;
    const f = meta.field(name);
    if (!(f instanceof ForeignKey)) throw new FieldError(`${meta.label}.${name} is not a foreign key or one-to-one field.`);
    const id = (this as unknown as Record<string, unknown>)[f.attname];
    const value = id === null || id === undefined ? null
      : await f.related().objects.using(this[STATE].db ?? readAlias(f.related(), undefined, { instance: this as unknown as AnyInstance })).get({ [f.targetField().name]: id });
    setCached(this, f.name, value);
    return value;
  }

  /** The reverse relation or many-to-many manager named `name` (the untyped form of `instance.<relatedName>`). */
  related(name: string): QuerySet<AnyInstance> {
    const v = (this as unknown as Record<string, unknown>)[name];
    if (v instanceof QuerySet) return v as QuerySet<AnyInstance>;
    throw new FieldError(`${(this.constructor as AnyModelClass)._meta.label} has no relation "${name}".`);
  }
}

export function setCached(obj: object, name: string, value: unknown): void {
  const o = obj as ModelBase;
  (o[CACHE] ??= new Map()).set(name, value);
}

export function getCached(obj: object, name: string): unknown {
  return (obj as ModelBase)[CACHE]?.get(name);
}

/** A field's value as a bound parameter; a value the field rejects becomes a ValidationError naming the field. */
export function param(f: Field, value: unknown): unknown {
  try {
    return f.toDb(value);
  } catch (err) {
    if (typeof err === 'string') throw new ValidationError({ [f.name]: [err] });
    throw err;
  }
}

async function insertRow(obj: AnyInstance, using: string): Promise<void> {
  const meta = (obj.constructor as AnyModelClass)._meta;
  const self = obj as unknown as Record<string, unknown>;
  const cols = meta.concreteFields.filter((f) => !(f.primaryKey && f instanceof AutoField && (self[f.attname] === null || self[f.attname] === undefined)));
  for (const f of cols) {
    if (!f.null && !f.primaryKey && (self[f.attname] === null || self[f.attname] === undefined)) {
      throw new ValidationError({ [f.name]: ['This field cannot be null.'] });
    }
  }
  const query = cols.length
    ? sql`insert into ${sql.id(meta.table)} (${sql.join(cols.map((f) => sql.id(f.column)))}) values (${sql.join(cols.map((f) => param(f, self[f.attname])))}) returning ${sql.id(meta.pk.column)}`
    : sql`insert into ${sql.id(meta.table)} default values returning ${sql.id(meta.pk.column)}`;
  const res = await execute<Record<string, unknown>>(using, query);
  const row = res.rows[0];
  if (row) self[meta.pk.attname] = meta.pk.fromDb(row[meta.pk.column]);
}

const rowKeys = new WeakMap<ModelMeta, Map<string, string[]>>();

/** Column keys of a row for one model under a select-alias prefix, built once (no string concatenation per row). */
function keysFor(meta: ModelMeta, prefix: string): string[] {
  let byPrefix = rowKeys.get(meta);
  if (!byPrefix) rowKeys.set(meta, (byPrefix = new Map()));
  let keys = byPrefix.get(prefix);
  if (!keys) byPrefix.set(prefix, (keys = meta.concreteFields.map((f) => prefix + f.column)));
  return keys;
}

/** Builds one instance from a row without running the constructor (defaults must not overwrite stored values). */
export function fromRow(cls: AnyModelClass, row: Record<string, unknown>, prefix: string, db: string): AnyInstance {
  const meta = cls._meta;
  const obj = Object.create(meta.instancePrototype) as AnyInstance & Record<string, unknown>;
  obj[STATE] = { adding: false, db };
  const flds = meta.concreteFields;
  const keys = keysFor(meta, prefix);
  for (let i = 0; i < flds.length; i++) {
    const f = flds[i] as Field;
    obj[f.attname] = f.fromDb(row[keys[i] as string]);
  }
  return obj;
}

// ---------------------------------------------------------------- model()

const LABEL = /^[a-z][a-z0-9_]*\.[A-Z][A-Za-z0-9]*$/;

/**
 * Defines a model: `model('blog.Post', { title: fields.char({ maxLength: 200 }) }, { ordering: ['-id'] })`.
 * The class is registered under its label; instances are typed from the field definitions.
 */
export function model<const D extends FieldDefs>(label: string, defs: D, options: MetaOptions = {}, reg: Registry = registry): ModelClass<D> {
  if (!LABEL.test(label)) throw new ModelDefinitionError(`Model label "${label}" must look like 'app.ModelName' (app in lower case, model in CamelCase).`);
  const [, modelName] = label.split('.') as [string, string];
  const list: Field[] = [];
  if (!Object.values(defs).some((f) => f.primaryKey)) {
    const id = new AutoField({ primaryKey: true });
    id.bind(label, 'id');
    list.push(id);
  }
  for (const [name, f] of Object.entries(defs)) {
    if (!(f instanceof Field)) throw new ModelDefinitionError(`${label}.${name} is not a field; use fields.char(), fields.foreignKey(), ...`);
    if (f.name) throw new ModelDefinitionError(`${label}.${name}: this field object already belongs to ${f.modelLabel}.${f.name}; create a new one per model.`);
    if (['pk', 'objects', 'save', 'delete', 'toJSON', 'fullClean', 'cleanFields', 'clean', 'validateUnique', 'related', 'fetchRelated', 'refreshFromDb'].includes(name)) {
      throw new ModelDefinitionError(`${label}: "${name}" is reserved on model instances; name the field differently.`);
    }
    f.bind(label, name);
    list.push(f);
  }

  const Base = class extends ModelBase {};
  Object.defineProperty(Base, 'name', { value: modelName });
  const cls = Base as unknown as AnyModelClass & { _meta: ModelMeta; objects: QuerySet<AnyInstance> };
  const meta = new ModelMeta(label, list, options, reg);
  const columns = new Set<string>();
  for (const f of meta.concreteFields) {
    if (columns.has(f.column)) throw new ModelDefinitionError(`${label}: two fields use the column "${f.column}".`);
    columns.add(f.column);
  }
  (cls as { _meta: ModelMeta })._meta = meta;
  Object.defineProperty(cls, 'DoesNotExist', {
    value: class extends ObjectDoesNotExist { constructor(m: string) { super(m); this.name = `${modelName}.DoesNotExist`; } },
  });
  Object.defineProperty(cls, 'MultipleObjectsReturned', {
    value: class extends MultipleObjectsReturned { constructor(m: string) { super(m); this.name = `${modelName}.MultipleObjectsReturned`; } },
  });
  meta.setModelClass(cls);
  installAccessors(cls);
  // `Question.objects` on a subclass is that subclass's QuerySet, and makes it the model's class (Registry.adopt).
  const managers = new WeakMap<object, QuerySet<AnyInstance>>();
  Object.defineProperty(cls, 'objects', {
    configurable: true,
    get(this: AnyModelClass) {
      let qs = managers.get(this);
      if (!qs) {
        if (this !== meta.modelClass) meta.registry.adopt(this);
        managers.set(this, (qs = new QuerySet(this)));
      }
      return qs;
    },
  });
  reg.register(cls);
  installReverseAccessors(reg);
  return cls as unknown as ModelClass<D>;
}

function installAccessors(cls: AnyModelClass): void {
  const proto = cls.prototype as unknown as object;
  const meta = cls._meta;
  for (const f of meta.fields) {
    if (f instanceof ForeignKey) {
      Object.defineProperty(proto, f.name, {
        configurable: true,
        enumerable: false,
        get(this: AnyInstance) {
          const cache = this[CACHE];
          if (cache?.has(f.name)) return cache.get(f.name);
          if (this[f.attname] === null || this[f.attname] === undefined) return null;
          throw new FieldError(`${meta.label}.${f.name} is not loaded. Use .selectRelated('${f.name}') or .prefetchRelated('${f.name}') on the query, or await obj.fetchRelated('${f.name}').`);
        },
        set(this: AnyInstance, value: unknown) {
          const self = this as Record<string, unknown>;
          if (value === null || value === undefined) {
            setCached(this, f.name, null);
            self[f.attname] = null;
          } else if (value instanceof ModelBase) {
            assertRelationAllowed(this, value as unknown as AnyInstance, f.name);
            setCached(this, f.name, value);
            self[f.attname] = (value as unknown as Record<string, unknown>)[f.targetField().attname];
          } else if (typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint') {
            // A raw key (`new Article({ author: 5 })`, `getOrCreate({ author: id })`): the related object is not loaded.
            this[CACHE]?.delete(f.name);
            self[f.attname] = value;
          } else {
            throw new FieldError(`${meta.label}.${f.name} takes a ${f.related()._meta.label} instance or its key, not ${Object.prototype.toString.call(value)}.`);
          }
        },
      });
    } else if (f instanceof ManyToManyField) {
      Object.defineProperty(proto, f.name, {
        configurable: true,
        enumerable: false,
        get(this: AnyInstance) { return ManyRelatedManager.forward(this, f, getCached(this, f.name) as AnyInstance[] | undefined); },
      });
    }
  }
}

/**
 * Defines `user.posts`-style reverse accessors on every model whose relations can now be resolved. Run after each
 * registration: the two sides may be defined in any order. (Plain accessors, not a Proxy: a Proxy in the prototype
 * chain makes every property write on an instance slow.)
 */
export function installReverseAccessors(reg: Registry): void {
  for (const cls of reg.models.values()) {
    const meta = cls._meta;
    // On the generated class: a site's subclass inherits them, and its own members of the same name win.
    const proto = meta.generatedClass.prototype as unknown as object;
    for (const rel of meta.relatedObjects()) {
      if (Object.hasOwn(proto, rel.accessor)) continue;
      if (meta.maybeField(rel.accessor)) {
        throw new ModelDefinitionError(`${rel.model._meta.label}.${rel.field.name}: its reverse accessor "${rel.accessor}" clashes with the field ${meta.label}.${rel.accessor}; set relatedName.`);
      }
      Object.defineProperty(proto, rel.accessor, {
        configurable: true,
        enumerable: false,
        get(this: AnyInstance) {
          const cached = getCached(this, rel.accessor);
          if (!rel.multiple) {
            if (cached !== undefined) return cached;
            throw new FieldError(`${meta.label}.${rel.accessor} (reverse one-to-one) is not loaded: use .prefetchRelated('${rel.accessor}') or query ${rel.model._meta.label} directly.`);
          }
          if (rel.field instanceof ManyToManyField) return ManyRelatedManager.reverse(this, rel, cached as AnyInstance[] | undefined);
          return RelatedManager.of(this, rel, cached as AnyInstance[] | undefined);
        },
      });
    }
  }
}

/** Raw SQL mapped onto instances of cls (columns named like the table's). */
export async function rawInstances<T>(cls: AnyModelClass, text: string, params: readonly unknown[], using?: string): Promise<T[]> {
  const alias = using ?? readAlias(cls);
  const res = await execute<Record<string, unknown>>(alias, CompiledQuery.raw(text, [...params]));
  return res.rows.map((row) => {
    const obj = fromRow(cls, row, '', alias) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(row)) if (!cls._meta.concreteFields.some((f) => f.column === k)) obj[k] = v;
    return obj as T;
  });
}

export type { ModelRef };

/** English plurals for model names: "entry" → "entries", "box" → "boxes", "person" stays a site's choice (set verboseNamePlural). */
export function pluralise(word: string): string {
  if (/[^aeiou]y$/i.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/i.test(word)) return `${word}es`;
  return `${word}s`;
}

/**
 * Makes each model subclass among a module's exports its model's class (the site host calls this on every app's
 * models module, so instances fetched through relations are built from the subclass even before it is used by name).
 */
export function adoptModelClasses(exports: Record<string, unknown>): void {
  for (const v of Object.values(exports)) {
    if (typeof v !== 'function' || !(v.prototype instanceof ModelBase)) continue;
    const cls = v as unknown as AnyModelClass;
    cls._meta.registry.adopt(cls);
  }
}

/** "pubDate" → "pub date" (a field's label when it has no verboseName). */
function humanise(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

function capitalise(s: string): string { return s.charAt(0).toUpperCase() + s.slice(1); }

/** DATABASE_ROUTERS' allowRelation (by default: both objects from the same database, or not saved yet). */
export function assertRelationAllowed(obj: AnyInstance, other: AnyInstance, fieldName: string): void {
  if (allowRelation(obj, other)) return;
  const a = (obj.constructor as AnyModelClass)._meta.label;
  const b = (other.constructor as AnyModelClass)._meta.label;
  throw new FieldError(`Cannot relate this ${a} (database "${obj[STATE]?.db}") to a ${b} from database "${other[STATE]?.db}" through ${fieldName}: `
    + 'the database routers do not allow relations across these databases. Save both in one database, or allow it in a router\'s allowRelation().');
}

/** Methods that write: templates never call them when they read `{{ post.delete }}` (Django's alters_data; templates/liquid.ts). */
export function markAltersData(proto: object, names: readonly string[]): void {
  for (const name of names) {
    const fn = (proto as Record<string, unknown>)[name];
    if (typeof fn === 'function') Object.defineProperty(fn, Symbol.for('paddock.altersData'), { value: true });
  }
}
markAltersData(ModelBase.prototype, ['save', 'delete', 'refreshFromDb']);
