// Inline formsets: the related rows of one parent (a question's choices) as forms inside the parent's form, in the
// management-form format Django uses (<prefix>-TOTAL_FORMS, <prefix>-INITIAL_FORMS, <prefix>-<i>-<field>,
// <prefix>-<i>-id, <prefix>-<i>-DELETE). A saved row is found by its submitted key among the parent's own rows, never
// by position, so a forged key cannot reach another parent's row. Empty extra rows are skipped; the admin saves the
// parent and every row in one transaction, after every form is valid.
import type { AnyInstance, AnyModelClass, Field as DbField, ForeignKey } from '../../db/index.js';
import type { Field } from '../../forms/fields.js';
import { isEmpty } from '../../forms/fields.js';
import type { FormInput } from '../../forms/uploads.js';
import { attrs, markSafe, type SafeHtml } from '../../forms/html.js';
import { modelForm, type ModelForm } from '../../forms/model-form.js';
import { gettext, ngettext } from '../../i18n/translation.js';
import { currentFile, display, labelOf, valueOf } from './display.js';
import type { ChangePart } from './history.js';
import type { InlineModelAdmin } from './options.js';

/** The most rows one formset reads, whatever TOTAL_FORMS says (Django's absolute_max). */
const ABSOLUTE_MAX = 1000;

export interface InlinePerms { add: boolean; change: boolean; delete: boolean }

export interface InlineContext {
  labelOf: (obj: AnyInstance) => string;
  formField: (model: AnyModelClass, field: DbField) => Field<unknown> | undefined;
  /** Further checks of a valid row (autocomplete keys exist). */
  check: (form: ModelForm) => Promise<void>;
}

export interface InlineRow {
  form: ModelForm;
  /** The saved object, or null for a new row. */
  original: AnyInstance | null;
  deleted: boolean;
  /** A new row left empty: not validated, not saved. */
  empty: boolean;
  /** The row is only shown (no change permission). */
  locked: boolean;
}

function normalise(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(String).sort().join(',');
  return v === null || v === undefined ? '' : String(v);
}

/** True when a bound row's input differs from what it was shown with. */
function hasChanged(form: ModelForm): boolean {
  for (const [name, field] of Object.entries(form.fields)) {
    const raw = form.rawValue(name);
    const initial = (form.initial as Record<string, unknown>)[name];
    let value: unknown;
    try {
      value = field.clean(raw);
    } catch {
      if (isEmpty(raw)) continue;
      return true;
    }
    if (normalise(value) !== normalise(initial ?? field.initial)) return true;
  }
  return false;
}

export class InlineFormset {
  readonly rows: InlineRow[] = [];
  readonly errors: string[] = [];
  /** The empty row the browser copies for "Add another" (null without the add permission). */
  template: ModelForm | null = null;
  #valid: boolean | null = null;

  private constructor(
    readonly inline: InlineModelAdmin,
    readonly fk: ForeignKey,
    readonly prefix: string,
    readonly perms: InlinePerms,
    readonly isBound: boolean,
    readonly ctx: InlineContext,
  ) {}

  /** The formset of `inline` for `parent` (null when adding), bound to the submitted input when there is one. */
  static async build(inline: InlineModelAdmin, parentModel: AnyModelClass, parent: AnyInstance | null, input: FormInput | null,
    perms: InlinePerms, prefix: string, ctx: InlineContext): Promise<InlineFormset> {
    const fk = inline.foreignKey(parentModel);
    const set = new InlineFormset(inline, fk, prefix, perms, input !== null, ctx);
    const model = inline.model;
    const builder = await modelForm(model, {
      ...(inline.fields ? { fields: inline.fields } : {}),
      exclude: [...inline.exclude, fk.name, ...inline.readonlyNames],
      label: ctx.labelOf,
      formField: (f) => ctx.formField(model, f),
    });
    const order = model._meta.ordering.length ? [...model._meta.ordering, 'pk'] : ['pk'];
    const existing = parent ? await model.objects.filter({ [fk.attname]: parent.pk }).orderBy(...order).limit(ABSOLUTE_MAX) : [];
    const fresh = () => new model();
    if (input === null) {
      for (const [i, obj] of existing.entries()) {
        set.rows.push({ form: await builder.bind(obj, { prefix: `${prefix}-${i}` }), original: obj, deleted: false, empty: false, locked: !perms.change });
      }
      const room = Math.max(0, inline.maxNum - existing.length);
      const extra = perms.add ? Math.min(room, Math.max(inline.extra, inline.minNum - existing.length)) : 0;
      for (let i = 0; i < extra; i++) {
        const at = existing.length + i;
        set.rows.push({ form: await builder.bind(fresh(), { prefix: `${prefix}-${at}` }), original: null, deleted: false, empty: true, locked: false });
      }
    } else {
      const data = input.data;
      const total = Number(data.get(`${prefix}-TOTAL_FORMS`));
      const initial = Number(data.get(`${prefix}-INITIAL_FORMS`));
      if (!data.has(`${prefix}-TOTAL_FORMS`) || !Number.isSafeInteger(total) || !Number.isSafeInteger(initial) || total < 0 || initial < 0 || initial > total) {
        set.errors.push(gettext('The form was incomplete or changed on the way (the {name} rows are missing). Reload the page and try again.',
          { name: inline.verboseName }));
        return set;
      }
      const count = Math.min(total, initial + inline.maxNum, ABSOLUTE_MAX);
      const byKey = new Map(existing.map((o) => [String(o.pk), o]));
      for (let i = 0; i < count; i++) {
        const rowPrefix = `${prefix}-${i}`;
        if (i < initial) {
          const obj = byKey.get(data.get(`${rowPrefix}-id`) ?? '');
          if (!obj) {
            set.errors.push(gettext('A {name} in this form no longer exists or belongs elsewhere; it was left out. Check the rows and save again.', { name: inline.verboseName }));
            continue;
          }
          byKey.delete(String(obj.pk));
          const deleted = perms.delete && inline.canDelete && data.get(`${rowPrefix}-DELETE`) !== null;
          const locked = !perms.change;
          const form = await builder.bind(obj, locked || deleted ? { prefix: rowPrefix } : { prefix: rowPrefix, input });
          set.rows.push({ form, original: obj, deleted, empty: false, locked });
        } else if (perms.add) {
          const form = await builder.bind(fresh(), { prefix: rowPrefix, input });
          set.rows.push({ form, original: null, deleted: false, empty: !hasChanged(form), locked: false });
        }
      }
      // Rows of the parent the page did not show (added meanwhile) are kept as they are.
    }
    if (perms.add) set.template = await builder.bind(fresh(), { prefix: `${prefix}-__prefix__` });
    return set;
  }

  /** The rows that will exist after saving. */
  get kept(): InlineRow[] {
    return this.rows.filter((r) => !r.deleted && !r.empty);
  }

  async isValid(): Promise<boolean> {
    if (!this.isBound) return false;
    if (this.#valid !== null) return this.#valid;
    let ok = this.errors.length === 0;
    for (const row of this.rows) {
      if (row.deleted || row.empty || row.locked) continue;
      if (await row.form.isValid()) await this.ctx.check(row.form);
      if (!(await row.form.isValid())) ok = false;
    }
    const n = this.kept.length;
    if (n < this.inline.minNum) {
      this.errors.push(ngettext('Please submit at least {count} {name}.', 'Please submit at least {count} {names}.', this.inline.minNum,
        { count: this.inline.minNum, name: this.inline.verboseName, names: this.inline.verboseNamePlural }));
      ok = false;
    }
    if (n > this.inline.maxNum) {
      this.errors.push(ngettext('Please submit at most {count} {name}.', 'Please submit at most {count} {names}.', this.inline.maxNum,
        { count: this.inline.maxNum, name: this.inline.verboseName, names: this.inline.verboseNamePlural }));
      ok = false;
    }
    this.#valid = ok;
    return ok;
  }

  /** Writes the rows for `parent` (call inside the transaction that saved it); returns what changed, for the history. */
  async save(parent: AnyInstance): Promise<ChangePart[]> {
    const parts: ChangePart[] = [];
    const name = this.inline.verboseName;
    for (const row of this.rows) {
      if (row.empty || row.locked) continue;
      if (row.deleted && row.original) {
        await row.original.delete();
        parts.push({ deleted: { name, object: this.ctx.labelOf(row.original) } });
        continue;
      }
      const instance = row.form.instance as unknown as Record<string, unknown>;
      if (!row.original) {
        instance[this.fk.attname] = parent.pk;
        const obj = await row.form.save();
        parts.push({ added: { name, object: this.ctx.labelOf(obj) } });
        continue;
      }
      const changed = row.form.changedFields(row.form.initial as Record<string, unknown>);
      if (!changed.length) continue;
      const obj = await row.form.save();
      parts.push({ changed: { name, object: this.ctx.labelOf(obj), fields: changed.map((f) => labelOf(this.inline.model, f).toLowerCase()) } });
    }
    return parts;
  }

  /** The hidden inputs that tell the server how many rows the page holds. */
  managementForm(): SafeHtml {
    const initial = this.rows.filter((r) => r.original).length;
    const input = (suffix: string, value: number) => `<input${attrs({ type: 'hidden', name: `${this.prefix}-${suffix}`, id: `id_${this.prefix}-${suffix}`, value: String(value) })}>`;
    return markSafe(input('TOTAL_FORMS', this.rows.length) + input('INITIAL_FORMS', initial)
      + input('MIN_NUM_FORMS', this.inline.minNum) + input('MAX_NUM_FORMS', this.inline.maxNum));
  }

  /** What the inline templates (admin/edit_inline/tabular.html, stacked.html) get. */
  async context(): Promise<Record<string, unknown>> {
    const readonly = this.inline.readonlyFields;
    const model = this.inline.model;
    const sample = this.template ?? this.rows[0]?.form ?? null;
    const row = async (r: InlineRow | null, form: ModelForm, index: string) => {
      const rowPrefix = `${this.prefix}-${index}`;
      const locked = r?.locked ?? false;
      const fields = [...form.visibleFields].map((bf) => ({
        name: bf.name, label: bf.label, required: bf.field.required,
        html: locked ? display(valueOf(model, form.instance, bf.name))
          : markSafe(String(bf.widgetHtml({ 'aria-label': bf.label })) + String(currentFile(model, r?.original ?? null, bf.name))),
        block: locked ? null : markSafe(String(bf.asDiv()) + String(currentFile(model, r?.original ?? null, bf.name))), errors: bf.errorsHtml(),
      }));
      const values = await Promise.all(readonly.map(async (c) => ({
        label: labelOf(model, c), value: r?.original ? display(await valueOf(model, r.original, c)) : display(''),
      })));
      const id = r?.original ? `<input${attrs({ type: 'hidden', name: `${rowPrefix}-id`, value: String(r.original.pk) })}>` : '';
      const canDelete = Boolean(r?.original) && this.perms.delete && this.inline.canDelete;
      const del = canDelete
        ? `<input${attrs({ type: 'checkbox', name: `${rowPrefix}-DELETE`, id: `id_${rowPrefix}-DELETE`, checked: r?.deleted ?? false, 'aria-label': gettext('Delete {object}', { object: r?.original ? this.ctx.labelOf(r.original) : '' }) })}>`
        : '';
      return {
        prefix: rowPrefix, original: r?.original ? this.ctx.labelOf(r.original) : '', is_new: !r?.original,
        fields, readonly: values, hidden: markSafe(id + form.hiddenFields.map((b) => String(b.widgetHtml())).join('')),
        delete: markSafe(del), errors: form.nonFieldErrors(), has_errors: Object.keys(form.errors).length > 0,
      };
    };
    return {
      prefix: this.prefix, style: this.inline.style,
      title: cap(this.inline.verboseNamePlural), verbose_name: this.inline.verboseName,
      management: this.managementForm(), errors: this.errors,
      headers: sample ? [...sample.visibleFields].map((bf) => ({ label: bf.label, required: bf.field.required })) : [],
      readonly_headers: readonly.map((c) => labelOf(model, c)),
      can_delete: this.perms.delete && this.inline.canDelete,
      rows: await Promise.all(this.rows.map((r, i) => row(r, r.form, String(i)))),
      template: this.template ? await row(null, this.template, '__prefix__') : null,
      max: this.inline.maxNum,
    };
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
