// How one model is shown in the admin (Django's ModelAdmin): list columns, search, filters, ordering, the form's
// fields, and bulk actions. Every name given here is checked against the model when it is registered.
import { ImproperlyConfigured } from '../../errors.js';
import type { AnyInstance, AnyModelClass } from '../../db/index.js';
import type { SafeHtml } from '../../forms/html.js';
import type { Request } from '../../http/request.js';

/** A list column: a field name, or a label and a function (its result is escaped unless it returns SafeHtml). */
export type ListColumn = string | { label: string; value: (obj: AnyInstance) => unknown | SafeHtml };

/** An action on the objects selected in a change list ("Delete selected" is built in). */
export interface AdminAction {
  name: string;
  label: string;
  /** Needs this permission action on the model ('change' by default; 'delete' for deleting). */
  permission?: 'add' | 'change' | 'delete' | 'view';
  /** Runs on the selected objects; returns a message for the visitor. */
  run(req: Request, objects: AnyInstance[]): Promise<string>;
}

/** How a model is shown in the admin: adminSite.register(Post, { listDisplay, search, listFilter, ... }). */
export interface ModelAdminOptions {
  /** The list's columns: field names, or { label, value(obj) } (default: the object's repr). */
  listDisplay?: ListColumn[];
  /** Fields searched (case-insensitive contains, OR-ed); `author__username` follows relations. */
  search?: string[];
  /** Fields offered as filters on the side (booleans, choices and foreign keys). */
  listFilter?: string[];
  /** Default order; visitors may sort by any listDisplay field. */
  ordering?: string[];
  listPerPage?: number;
  /** The form's fields (default: every editable field). */
  fields?: string[];
  actions?: AdminAction[];
  /** A label for objects in titles, history and pickers. */
  repr?: (obj: AnyInstance) => string;
}

/** A registered model's admin options, checked against the model (what adminSite.register() returns). */
export class ModelAdmin {
  readonly model: AnyModelClass;
  readonly listDisplay: ListColumn[];
  readonly search: string[];
  readonly listFilter: string[];
  readonly ordering: string[];
  readonly listPerPage: number;
  readonly fields: string[] | undefined;
  readonly actions: AdminAction[];
  readonly repr: ((obj: AnyInstance) => string) | undefined;

  constructor(model: AnyModelClass, options: ModelAdminOptions = {}) {
    this.model = model;
    const meta = model._meta;
    this.listDisplay = options.listDisplay ?? ['__str__'];
    this.search = options.search ?? [];
    this.listFilter = options.listFilter ?? [];
    this.ordering = options.ordering ?? (meta.ordering.length ? meta.ordering : ['-pk']);
    this.listPerPage = options.listPerPage ?? 100;
    this.fields = options.fields;
    this.actions = options.actions ?? [];
    this.repr = options.repr;
    const check = (name: string, what: string) => {
      const base = name.replace(/^-/, '').split('__')[0] as string;
      if (base !== 'pk' && !meta.maybeField(base)) {
        throw new ImproperlyConfigured(`admin.register(${meta.label}): ${what} '${name}' is not a field of the model. Fields: ${meta.fields.map((x) => x.name).join(', ')}.`);
      }
    };
    for (const c of this.listDisplay) if (typeof c === 'string' && c !== '__str__') check(c, 'listDisplay');
    for (const s of this.search) check(s, 'search');
    for (const s of this.listFilter) check(s, 'listFilter');
    for (const s of this.fields ?? []) check(s, 'fields');
  }

  get app(): string { return this.model._meta.app; }
  get modelName(): string { return this.model._meta.modelName.toLowerCase(); }
  /** The model's name for people ("blog post"): its verboseName, else its name split into words. */
  get verboseName(): string { return String(this.model._meta.options.verboseName ?? this.model._meta.modelName.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()); }
  /** The plural ("blog posts"): its verboseNamePlural, else verboseName + "s". */
  get verboseNamePlural(): string { return String(this.model._meta.options.verboseNamePlural ?? `${this.verboseName}s`); }
  /** The permission an action on this model needs, e.g. "blog.change_post". */
  perm(action: 'add' | 'change' | 'delete' | 'view'): string { return `${this.app}.${action}_${this.modelName}`; }
}
