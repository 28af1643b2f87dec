// How one model is shown in the admin (Django's ModelAdmin): list columns, search, filters, a date hierarchy, ordering,
// the form's fields and fieldsets, read-only values, inlines, autocomplete pickers and bulk actions. Every name given
// here is checked against the model when it is registered, so a typo fails at startup with the names that exist.
import { ImproperlyConfigured } from '../../errors.js';
import { ForeignKey, type AnyInstance, type AnyModelClass, type Field as DbField, type ModelMeta } from '../../db/index.js';
import type { SafeHtml } from '../../forms/html.js';
import type { Translatable } from '../../i18n/lazy.js';
import type { Request } from '../../http/request.js';
import type { Response } from '../../http/response.js';

/**
 * A computed column or read-only value: a label and a function of the object (its result is escaped unless it
 * returns SafeHtml).
 */
export interface ComputedValue { label: Translatable; value: (obj: AnyInstance) => unknown | SafeHtml }

/**
 * A list column: a field name, the name of a method or getter of the model's class (`wasPublishedRecently`,
 * called without arguments), `'__str__'` for the object's label, or a {@link ComputedValue}.
 */
export type ListColumn = string | ComputedValue;

/** A read-only value on the change form: a field, a method or getter of the model's class, or a {@link ComputedValue}. */
export type ReadonlyField = string | ComputedValue;

/** One line of a fieldset: a field name, or several names shown side by side. */
export type FieldLine = string | readonly string[];

export interface FieldsetOptions {
  /** The fields of the group, in order (editable or read-only); an inner array puts fields on one line. */
  fields: readonly FieldLine[];
  /** CSS classes of the group: `'collapse'` folds it (a <details> element, no script), `'wide'` widens labels. */
  classes?: readonly string[];
  /** A paragraph shown at the top of the group. */
  description?: Translatable;
}

/** A named group of fields on the change form (Django's fieldsets): `[name or null, { fields, classes, description }]`. */
export type Fieldset = readonly [name: Translatable | null, options: FieldsetOptions];

export interface AdminAction {
  /** The action's key in the form (`?action=publish`). */
  name: string;
  /** What the actions menu shows ("Mark selected stories as published"). */
  description?: Translatable;
  /** @deprecated the older name of `description`. */
  label?: Translatable;
  /** Needs this permission on the model ('change' by default). */
  permission?: 'add' | 'change' | 'delete' | 'view';
  /**
   * Ask first, as the built-in "Delete selected" does: an intermediate page lists the selected objects with a
   * Yes / No. `true` asks "Are you sure you want to <description>?"; a string asks that question instead.
   */
  confirm?: boolean | Translatable;
  /**
   * Runs on the selected objects (the user's permission already checked); returns a message for the visitor,
   * nothing, or a Response of its own (a download, a page).
   */
  run(req: Request, objects: AnyInstance[]): Promise<string | void | Response>;
}

/** A permission the admin checks: `<app>.<action>_<model>`. */
export type AdminPermission = 'add' | 'change' | 'delete' | 'view';

export interface InlineOptions {
  /** The row's fields (default: every editable field but the foreign key to the parent). */
  fields?: readonly string[];
  exclude?: readonly string[];
  /** Values shown in each saved row but not edited (fields, methods or getters, or computed values). */
  readonlyFields?: readonly ReadonlyField[];
  /** Empty rows offered for new objects (default 3); "Add another" adds more in the browser. */
  extra?: number;
  /** The fewest rows the parent may be saved with (default 0). */
  minNum?: number;
  /** The most rows the parent may have (default 1000). */
  maxNum?: number;
  /** Each saved row gets a "Delete" box (default true). */
  canDelete?: boolean;
  /** The foreign key to the parent, when the model has several to it. */
  fkName?: string;
  /** Foreign keys of the row picked by searching (see ModelAdminOptions.autocompleteFields). */
  autocompleteFields?: readonly string[];
  verboseName?: Translatable;
  verboseNamePlural?: Translatable;
}

export interface ModelAdminOptions {
  /** The change list's columns (default: the object's label). */
  listDisplay?: readonly ListColumn[];
  /**
   * Fields searched from the change list's search box (case-insensitive contains, every word must match one of them);
   * `author__username` follows relations. Also what an autocomplete picker pointing at this model searches.
   */
  searchFields?: readonly string[];
  /** @deprecated the older name of `searchFields`. */
  search?: readonly string[];
  /**
   * Filters on the change list's side: booleans (Yes / No), fields with choices and foreign keys (their values),
   * dates and datetimes (Today, Past 7 days, This month, This year, and a from–to range).
   */
  listFilter?: readonly string[];
  /** A date or datetime field: links above the list drill down by year, then month, then day. */
  dateHierarchy?: string;
  /** Default order; visitors may sort by any listDisplay field. */
  ordering?: readonly string[];
  listPerPage?: number;
  /** The form's fields, in order (default: every editable field). Use `fieldsets` instead to group them. */
  fields?: readonly FieldLine[];
  /** Fields left out of the form. */
  exclude?: readonly string[];
  /** Groups of fields on the change form; not together with `fields`. */
  fieldsets?: readonly Fieldset[];
  /**
   * Values shown on the change form but never edited: fields, methods or getters of the model's class (computed on
   * the object), or computed values. They are not in the submitted form, so a forged value for them is ignored.
   */
  readonlyFields?: readonly ReadonlyField[];
  /** Related objects edited on the parent's page: `[tabularInline(Choice, { extra: 3 })]`. */
  inlines?: readonly InlineModelAdmin[];
  /**
   * Foreign keys picked by searching instead of a <select> listing every row. The related model must be registered
   * with `searchFields`; the search answers only users who may view that model.
   */
  autocompleteFields?: readonly string[];
  /** Bulk actions offered on the change list, besides "Delete selected". */
  actions?: readonly AdminAction[];
  /** A label for objects in titles, history and pickers (default: the object's string form). */
  repr?: (obj: AnyInstance) => string;
}

type Meta = ModelMeta;

function fieldNames(meta: Meta): string {
  return meta.fields.map((x) => x.name).join(', ');
}

// The model's own names when its meta has them (the models layer computes English plurals), else the options'.
function verboseNames(meta: Meta): [string, string] {
  const m = meta as Meta & { verboseName?: unknown; verboseNamePlural?: unknown };
  const single = String(m.verboseName ?? meta.options.verboseName ?? meta.modelName.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase());
  return [single, String(m.verboseNamePlural ?? meta.options.verboseNamePlural ?? `${single}s`)];
}

/** True when `name` is a method or getter of the model's class (on its prototype chain), not a field. */
export function isAttribute(model: AnyModelClass, name: string): boolean {
  let proto: object | null = model.prototype as object;
  while (proto && proto !== Object.prototype) {
    if (Object.getOwnPropertyDescriptor(proto, name)) return true;
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return false;
}

/** The names in a list of field lines, flattened. */
export function flattenLines(lines: readonly FieldLine[]): string[] {
  return lines.flatMap((l) => (typeof l === 'string' ? [l] : [...l]));
}

/** What a model admin and an inline share: which fields the form edits, which are read-only, which search. */
abstract class FormOptions {
  readonly model: AnyModelClass;
  readonly exclude: readonly string[];
  readonly readonlyFields: readonly ReadonlyField[];
  readonly autocompleteFields: readonly string[];

  constructor(model: AnyModelClass, where: string, options: { exclude?: readonly string[]; readonlyFields?: readonly ReadonlyField[]; autocompleteFields?: readonly string[] }) {
    this.model = model;
    this.exclude = options.exclude ?? [];
    this.readonlyFields = options.readonlyFields ?? [];
    this.autocompleteFields = options.autocompleteFields ?? [];
    const meta = model._meta;
    for (const s of this.exclude) this.checkField(s, `${where}: exclude`);
    for (const r of this.readonlyFields) {
      if (typeof r === 'string' && !meta.maybeField(r) && !isAttribute(model, r)) {
        throw new ImproperlyConfigured(`${where}: readonlyFields '${r}' is neither a field nor a method or getter of ${meta.label}. Fields: ${fieldNames(meta)}.`);
      }
    }
    for (const a of this.autocompleteFields) {
      this.checkField(a, `${where}: autocompleteFields`);
      if (!(meta.field(a) instanceof ForeignKey)) {
        throw new ImproperlyConfigured(`${where}: autocompleteFields '${a}' is a ${meta.field(a).type} field; only foreign keys are picked by searching.`);
      }
    }
  }

  checkField(name: string, what: string): DbField {
    const base = name.replace(/^-/, '').split('__')[0] as string;
    const field = base === 'pk' ? this.model._meta.pk : this.model._meta.maybeField(base);
    if (!field) throw new ImproperlyConfigured(`${what} '${name}' is not a field of ${this.model._meta.label}. Fields: ${fieldNames(this.model._meta)}.`);
    return field;
  }

  /** Names of the read-only values that are names (fields, methods, getters). */
  get readonlyNames(): string[] {
    return this.readonlyFields.filter((r): r is string => typeof r === 'string');
  }

  get verboseName(): string { return verboseNames(this.model._meta)[0]; }
  get verboseNamePlural(): string { return verboseNames(this.model._meta)[1]; }
  get app(): string { return this.model._meta.app; }
  get modelName(): string { return this.model._meta.modelName.toLowerCase(); }
  perm(action: AdminPermission): string { return `${this.app}.${action}_${this.modelName}`; }
}

export type InlineStyle = 'tabular' | 'stacked';

/** Related objects edited in their parent's form (Django's InlineModelAdmin); made by tabularInline / stackedInline. */
export class InlineModelAdmin extends FormOptions {
  readonly style: InlineStyle;
  readonly fields: readonly string[] | undefined;
  readonly extra: number;
  readonly minNum: number;
  readonly maxNum: number;
  readonly canDelete: boolean;
  readonly fkName: string | undefined;
  readonly #verboseName: Translatable | undefined;
  readonly #verboseNamePlural: Translatable | undefined;

  constructor(style: InlineStyle, model: { readonly _meta: ModelMeta }, options: InlineOptions = {}) {
    const m = model as unknown as AnyModelClass;
    super(m, `${style}Inline(${m._meta.label})`, options);
    this.style = style;
    this.fields = options.fields;
    this.extra = options.extra ?? 3;
    this.minNum = options.minNum ?? 0;
    this.maxNum = options.maxNum ?? 1000;
    this.canDelete = options.canDelete ?? true;
    this.fkName = options.fkName;
    this.#verboseName = options.verboseName;
    this.#verboseNamePlural = options.verboseNamePlural;
    for (const n of [this.extra, this.minNum, this.maxNum]) {
      if (!Number.isInteger(n) || n < 0) throw new ImproperlyConfigured(`${style}Inline(${m._meta.label}): extra, minNum and maxNum are whole numbers ≥ 0.`);
    }
    if (this.minNum > this.maxNum) throw new ImproperlyConfigured(`${style}Inline(${m._meta.label}): minNum (${this.minNum}) is above maxNum (${this.maxNum}).`);
    for (const f of this.fields ?? []) this.checkField(f, `${style}Inline(${m._meta.label}): fields`);
  }

  override get verboseName(): string { return String(this.#verboseName ?? super.verboseName); }
  override get verboseNamePlural(): string { return String(this.#verboseNamePlural ?? super.verboseNamePlural); }

  /** The foreign key from this inline's model to `parent` (the only one, or fkName's). */
  foreignKey(parent: AnyModelClass): ForeignKey {
    const meta = this.model._meta;
    const where = `${this.style}Inline(${meta.label}) on ${parent._meta.label}`;
    if (this.fkName) {
      const f = meta.maybeField(this.fkName);
      if (!(f instanceof ForeignKey) || f.related()._meta.label !== parent._meta.label) {
        throw new ImproperlyConfigured(`${where}: fkName '${this.fkName}' is not a foreign key to ${parent._meta.label}.`);
      }
      return f;
    }
    // By label: a model's class and the subclass that adopted it are the same model.
    const fks = meta.fields.filter((f): f is ForeignKey => f instanceof ForeignKey && f.related()._meta.label === parent._meta.label);
    if (fks.length !== 1) {
      throw new ImproperlyConfigured(fks.length
        ? `${where}: ${meta.label} has several foreign keys to ${parent._meta.label} (${fks.map((f) => f.name).join(', ')}); name one with fkName.`
        : `${where}: ${meta.label} has no foreign key to ${parent._meta.label}.`);
    }
    return fks[0] as ForeignKey;
  }
}

/** Related rows edited as a table, one row per object (Django's TabularInline). */
export function tabularInline(model: { readonly _meta: ModelMeta }, options: InlineOptions = {}): InlineModelAdmin {
  return new InlineModelAdmin('tabular', model, options);
}

/** Related rows edited as stacked blocks, one per object (Django's StackedInline). */
export function stackedInline(model: { readonly _meta: ModelMeta }, options: InlineOptions = {}): InlineModelAdmin {
  return new InlineModelAdmin('stacked', model, options);
}

export class ModelAdmin extends FormOptions {
  readonly listDisplay: readonly ListColumn[];
  readonly searchFields: readonly string[];
  readonly listFilter: readonly string[];
  readonly dateHierarchy: string | undefined;
  readonly ordering: readonly string[];
  readonly listPerPage: number;
  readonly fields: readonly FieldLine[] | undefined;
  readonly fieldsets: readonly Fieldset[] | undefined;
  readonly inlines: readonly InlineModelAdmin[];
  readonly actions: readonly AdminAction[];
  readonly repr: ((obj: AnyInstance) => string) | undefined;

  constructor(model: AnyModelClass, options: ModelAdminOptions = {}) {
    const where = `admin.register(${model._meta.label})`;
    super(model, where, options);
    const meta = model._meta;
    this.listDisplay = options.listDisplay ?? ['__str__'];
    this.searchFields = options.searchFields ?? options.search ?? [];
    this.listFilter = options.listFilter ?? [];
    this.dateHierarchy = options.dateHierarchy;
    this.ordering = options.ordering ?? (meta.ordering.length ? meta.ordering : ['-pk']);
    this.listPerPage = options.listPerPage ?? 100;
    this.fields = options.fields;
    this.fieldsets = options.fieldsets;
    this.inlines = options.inlines ?? [];
    this.actions = options.actions ?? [];
    this.repr = options.repr;
    const check = (name: string, what: string) => this.checkField(name, `${where}: ${what}`);
    for (const c of this.listDisplay) {
      if (typeof c === 'string' && c !== '__str__' && !meta.maybeField(c) && !isAttribute(model, c)) check(c, 'listDisplay');
    }
    for (const s of this.searchFields) check(s, 'searchFields');
    for (const s of this.listFilter) {
      const f = check(s, 'listFilter');
      const filterable = f.type === 'boolean' || f.type === 'date' || f.type === 'datetime' || f instanceof ForeignKey || Array.isArray(f.options.choices);
      if (!filterable) throw new ImproperlyConfigured(`${where}: listFilter '${s}' is a ${f.type} field without choices; filters take booleans, dates, foreign keys and fields with choices.`);
    }
    if (this.dateHierarchy !== undefined) {
      const f = check(this.dateHierarchy, 'dateHierarchy');
      if (f.type !== 'date' && f.type !== 'datetime') throw new ImproperlyConfigured(`${where}: dateHierarchy '${this.dateHierarchy}' is a ${f.type} field; it takes a date or datetime field.`);
    }
    if (this.fields && this.fieldsets) throw new ImproperlyConfigured(`${where}: give fields or fieldsets, not both (fieldsets name every field of the form).`);
    const readonly = new Set(this.readonlyNames);
    const seen = new Set<string>();
    const lines = this.fields ?? this.fieldsets?.flatMap(([, o]) => o.fields) ?? [];
    for (const name of flattenLines(lines)) {
      if (seen.has(name)) throw new ImproperlyConfigured(`${where}: '${name}' is named twice in ${this.fields ? 'fields' : 'fieldsets'}.`);
      seen.add(name);
      if (!readonly.has(name)) check(name, this.fields ? 'fields' : 'fieldsets');
    }
    for (const inline of this.inlines) inline.foreignKey(model);
  }

  /** @deprecated the older name of `searchFields`. */
  get search(): readonly string[] { return this.searchFields; }
}
