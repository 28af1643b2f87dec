// Model forms: a form built from a model's fields (types, lengths, required-ness, choices, related-object pickers),
// bound to an instance, that validates with the model's own checks and saves the instance and its many-to-many sets.
import { ValidationError } from '../errors.js';
import { isLazy, LazyString, type Translatable } from '../i18n/lazy.js';
import { gettext } from '../i18n/translation.js';
import {
  FileField, ForeignKey, ManyToManyField, type AnyInstance, type AnyModelClass, type Field as DbField,
  type ModelMeta,
} from '../db/index.js';
import type { Field } from './fields.js';
import { fields as f } from './fields.js';
import { Form, type FieldMap, type FormInit } from './form.js';
import { widgets, type Choice } from './widgets.js';

/** Which fields a model form has, and how its related-object pickers are filled and labelled. */
export interface ModelFormOptions {
  /** Field names to include, in order (default: every editable field). */
  fields?: readonly string[];
  exclude?: readonly string[];
  /** Most related objects offered in a picker (default 500). */
  maxChoices?: number;
  /** How a related object is labelled in pickers (default: its string form). */
  label?: (obj: AnyInstance) => string;
  /** The form field for a model field instead of the default one (return undefined to keep the default). */
  formField?: (field: DbField) => Field<unknown> | undefined;
}

/** A model instance's label for people: its toString() if the model defines one, else "Model object (pk)". */
export function objectLabel(obj: AnyInstance): string {
  const s = String(obj);
  if (s !== '[object Object]') return s;
  const meta = (obj.constructor as AnyModelClass)._meta;
  for (const name of ['name', 'title', 'username', 'slug', 'email']) {
    const v = (obj as Record<string, unknown>)[name];
    if (meta.maybeField(name) && typeof v === 'string' && v) return v;
  }
  return `${meta.modelName} object (${String(obj.pk)})`;
}

/** The field's verbose name as a label, capitalised as Django's capfirst (in the language of each request). */
function verbose(field: DbField): Translatable | undefined {
  const v = field.options.verboseName;
  const cap = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
  if (typeof v === 'string') return cap(v);
  return isLazy(v) ? new LazyString(() => cap(String(v))) : undefined;
}

function isEditable(field: DbField): boolean {
  if (field.primaryKey && field.type === 'auto') return false;
  if (field.options.editable === false || field.options.autoNow === true || field.options.autoNowAdd === true) return false;
  return true;
}

async function relatedChoices(model: AnyModelClass, max: number, label: (o: AnyInstance) => string): Promise<Choice[]> {
  const objs = await model.objects.all().limit(max);
  return objs.map((o) => [String(o.pk), label(o)] as const);
}

/** The form field for one model field, or null for types a form does not edit. */
async function formFieldFor(field: DbField, options: ModelFormOptions): Promise<Field<unknown> | null> {
  const o = field.options;
  // A file field's column is nullable (no file), so only blank says whether a form must get one.
  const required = field instanceof FileField ? o.blank !== true : !(o.blank === true || field.null || o.default !== undefined && field.type === 'boolean');
  const common = { required, label: verbose(field), helpText: typeof o.helpText === 'string' || isLazy(o.helpText) ? o.helpText : undefined };
  const maxChoices = options.maxChoices ?? 500;
  const label = options.label ?? objectLabel;
  if (field instanceof ManyToManyField) {
    return f.multipleChoice({ ...common, required: o.blank !== true, choices: await relatedChoices(field.related(), maxChoices, label) });
  }
  if (field instanceof ForeignKey) {
    const choices = await relatedChoices(field.related(), maxChoices, label);
    return f.choice({ ...common, required: !field.null && o.blank !== true, choices: [['', '---------'], ...choices] });
  }
  if (Array.isArray(o.choices)) {
    const choices = (o.choices as unknown[]).map((c) => (Array.isArray(c) ? [String(c[0]), String(c[1])] : [String(c), String(c)]) as Choice);
    return f.choice({ ...common, choices: required ? choices : [['', '---------'], ...choices] });
  }
  const maxLength = typeof o.maxLength === 'number' ? o.maxLength : undefined;
  switch (field.type) {
    case 'char': return f.char({ ...common, maxLength });
    case 'slug': return f.slug({ ...common, maxLength });
    case 'email': return f.email({ ...common, maxLength });
    case 'url': return f.url({ ...common, maxLength });
    case 'text': return f.text(common);
    case 'integer': case 'bigInteger': case 'auto': return f.integer(common) as Field<unknown>;
    case 'float': case 'decimal': return f.float(common) as Field<unknown>;
    case 'boolean': return f.boolean({ ...common, required: false });
    case 'date': return f.date(common) as Field<unknown>;
    case 'datetime': return f.datetime(common) as Field<unknown>;
    case 'uuid': return f.char({ ...common, maxLength: 36 });
    case 'json': return f.char({ ...common, widget: widgets.textarea(), validators: [jsonValidator] });
    case 'file': return f.file(common) as Field<unknown>;
    case 'image': return f.image(common) as Field<unknown>;
    default: return null;
  }
}

function jsonValidator(v: string): void {
  try {
    JSON.parse(v);
  } catch {
    throw new ValidationError(gettext('Enter valid JSON.'), 'invalid_json');
  }
}

/** A form over a model's fields, bound to `instance` (a new one when omitted); save() writes it. */
export class ModelForm extends Form<FieldMap> {
  readonly model: AnyModelClass;
  readonly instance: AnyInstance;
  readonly #dbFields: Map<string, DbField>;

  constructor(model: AnyModelClass, formFields: FieldMap, dbFields: Map<string, DbField>, instance: AnyInstance | undefined, init: FormInit<FieldMap>) {
    super(formFields, init);
    this.model = model;
    this.instance = instance ?? new model._meta.modelClass();
    this.#dbFields = dbFields;
  }

  /**
   * Runs the form's checks, then the model's (fullClean: its fields, its clean() hook, unique and unique-together
   * against the database) in the same pass, so every error shows at once; a duplicate is an error on its field, not a
   * failed save. Fields the form does not edit, and fields that already failed, are left out of the model's checks.
   */
  override async fullClean(): Promise<void> {
    await super.fullClean();
    this.#apply();
    const failed = Object.keys(this.errors);
    const notEdited = this.model._meta.fields.map((x) => x.name).filter((n) => !this.#dbFields.has(n) || this.#dbFields.get(n) instanceof ManyToManyField);
    try {
      await this.instance.fullClean({ exclude: [...notEdited, ...failed] });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      this.addError(null, e);
    }
  }

  #apply(): void {
    const data = this.cleanedData as Record<string, unknown>;
    const target = this.instance as Record<string, unknown>;
    for (const [name, field] of this.#dbFields) {
      if (!(name in data) || field instanceof ManyToManyField) continue;
      let value = data[name];
      if (field instanceof ForeignKey) {
        const pkType = field.related()._meta.pk.type;
        value = value === '' || value === null ? null : ['auto', 'integer', 'bigInteger'].includes(pkType) ? Number(value) : value;
        target[field.attname] = value;
        continue;
      }
      // An upload goes onto the instance to be stored by save(); the file it already has (the initial value) stays.
      if (field instanceof FileField) {
        if (value !== null && value !== undefined && value !== target[name]) target[name] = value;
        continue;
      }
      if (field.type === 'json' && typeof value === 'string') value = value === '' ? null : JSON.parse(value);
      if (value === '' && field.null && field.type !== 'char' && field.type !== 'text') value = null;
      target[name] = value;
    }
  }

  /** Saves the instance and its many-to-many fields; call after isValid(). */
  async save(): Promise<AnyInstance> {
    if (!(await this.isValid())) throw new ValidationError('The form has errors; check isValid() before save().', 'invalid_form');
    await this.instance.save();
    const data = this.cleanedData as Record<string, unknown>;
    for (const [name, field] of this.#dbFields) {
      if (!(field instanceof ManyToManyField) || !(name in data)) continue;
      const manager = (this.instance as Record<string, unknown>)[name] as { set(ids: ReadonlyArray<string | number>): Promise<void> };
      const pkType = field.related()._meta.pk.type;
      const ids = (data[name] as string[]).map((v) => (['auto', 'integer', 'bigInteger'].includes(pkType) ? Number(v) : v));
      await manager.set(ids);
    }
    return this.instance;
  }

  /** Names of the fields whose submitted value differs from the instance before saving (for the change history). */
  changedFields(before: Record<string, unknown>): string[] {
    const data = this.cleanedData as Record<string, unknown>;
    return Object.keys(data).filter((k) => JSON.stringify(normalise(data[k])) !== JSON.stringify(normalise(before[k])));
  }
}

function normalise(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return [...v].map(String).sort();
  return v === null || v === undefined ? '' : String(v);
}

/** The instance's current values as the form's initial data (ids for relations). */
export async function instanceInitial(instance: AnyInstance, dbFields: Map<string, DbField>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const src = instance as Record<string, unknown>;
  for (const [name, field] of dbFields) {
    if (field instanceof ManyToManyField) {
      out[name] = instance.pk === undefined || instance.pk === null ? [] : (await (src[name] as PromiseLike<AnyInstance[]>)).map((o) => String(o.pk));
    } else if (field instanceof ForeignKey) {
      out[name] = src[field.attname] === null || src[field.attname] === undefined ? '' : String(src[field.attname]);
    } else if (field.type === 'json') {
      out[name] = src[name] === null || src[name] === undefined ? '' : JSON.stringify(src[name], null, 2);
    } else {
      out[name] = src[name];
    }
  }
  return out;
}

/**
 * Builds a model form class for `model` (async: related-object pickers load their choices).
 * `const form = await modelForm(Post, { fields: ['title', 'body'] }); const f = form.bind(post, { input: formInput(req) })`.
 */
export async function modelForm(modelClass: { readonly _meta: ModelMeta }, options: ModelFormOptions = {}) {
  const model = modelClass as unknown as AnyModelClass;
  const meta = model._meta;
  const names = options.fields ?? meta.fields.filter(isEditable).map((x) => x.name);
  const formFields: FieldMap = {};
  const dbFields = new Map<string, DbField>();
  for (const name of names) {
    if (options.exclude?.includes(name)) continue;
    const field = meta.field(name);
    if (!isEditable(field)) continue;
    const ff = options.formField?.(field) ?? await formFieldFor(field, options);
    if (!ff) continue;
    formFields[name] = ff;
    dbFields.set(name, field);
  }
  return {
    fields: formFields,
    dbFields,
    /** A form for `instance` (or a new object), optionally bound to submitted input. */
    async bind(instance: AnyInstance | undefined, init: FormInit<FieldMap> = {}): Promise<ModelForm> {
      const initial = instance ? await instanceInitial(instance, dbFields) : {};
      return new ModelForm(model, formFields, dbFields, instance, { ...init, initial: { ...initial, ...init.initial } });
    },
  };
}
