// Forms: a set of fields bound to submitted data, cleaned into typed values with every error collected,
// and rendered as accessible HTML (labels, help text and errors tied to inputs) with the CSRF token.
import { ImproperlyConfigured, NON_FIELD_ERRORS, ValidationError, type ValidationIssue } from '../errors.js';
import type { Translatable } from '../i18n/lazy.js';
import { gettext, pgettext } from '../i18n/translation.js';
import type { Field } from './fields.js';
import { attrs, escapeHtml, markSafe, type SafeHtml } from './html.js';
import type { FormInput, UploadedFile } from './uploads.js';
import type { RawValue } from './widgets.js';

/** A form's fields by name. */
export type FieldMap = Record<string, Field<unknown>>;
/** The typed values of a valid form: each field's cleaned type. */
export type CleanedData<F extends FieldMap> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

export { NON_FIELD_ERRORS };

/** How a form is made: bound to submitted `input` (or `data` and `files`), with `initial` values, a `prefix` and an id pattern. */
export interface FormInit<F extends FieldMap> {
  /** Submitted fields; a form with data is "bound" and can be validated. */
  data?: URLSearchParams | Record<string, string | readonly string[]>;
  files?: Map<string, UploadedFile[]>;
  /** formInput(req) gives both at once. */
  input?: FormInput;
  initial?: Partial<CleanedData<F>>;
  /** Several forms in one <form>: names become "prefix-name". */
  prefix?: string;
  /** Pattern for element ids, '{name}' replaced by the HTML name; false for none. Default 'id_{name}'. */
  autoId?: string | false;
}

/** A form's own checks, run after each field's: per field (`cleanField`) and across fields (`clean`). */
export interface FormHooks<F extends FieldMap> {
  /** Per-field checks after the field's own cleaning; return the (possibly changed) value or throw ValidationError. */
  cleanField?: { [K in keyof F]?: (value: CleanedData<F>[K], form: Form<F>) => CleanedData<F>[K] | Promise<CleanedData<F>[K]> };
  /** Checks across fields; throw ValidationError (fieldIssues go to those fields) or call form.addError. */
  clean?: (data: CleanedData<F>, form: Form<F>) => void | Promise<void>;
}

/** How renderForm() draws the `<form>`: its action, method, CSRF token source, submit label and attributes. */
export interface RenderFormOptions {
  action?: string;
  method?: 'get' | 'post';
  /** The current request: its CSRF token goes into POST forms. */
  request?: { csrfToken(): string };
  /** Or the token itself. */
  csrfToken?: string;
  submitLabel?: Translatable;
  attrs?: Record<string, string>;
}

/** What follows a label: ':' in English, ' :' in French (Django's label_suffix). */
function labelSuffix(): string {
  return pgettext('form label suffix', ':');
}

function humanise(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function toParams(data: FormInit<FieldMap>['data']): URLSearchParams {
  if (data instanceof URLSearchParams) return data;
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(data ?? {})) {
    if (typeof v === 'string') p.append(k, v);
    else for (const item of v) p.append(k, item);
  }
  return p;
}

/** One field of one form: its name, id, label, value and errors, and its HTML. */
export class BoundField {
  constructor(readonly form: Form<FieldMap>, readonly name: string, readonly field: Field<unknown>) {}

  get htmlName(): string { return this.form.prefix ? `${this.form.prefix}-${this.name}` : this.name; }
  get id(): string | undefined { return this.form.autoId === false ? undefined : this.form.autoId.replace('{name}', this.htmlName); }
  get label(): string { return this.field.label === undefined ? humanise(this.name) : String(this.field.label); }
  get helpText(): string { return String(this.field.helpText); }
  get errors(): string[] { return (this.form.errors[this.name] ?? []).map((i) => i.message); }
  get isHidden(): boolean { return this.field.widget.isHidden; }

  /** What the widget shows: the submitted raw value when bound (so the user can fix it), else the initial value. */
  get value(): unknown {
    if (this.form.isBound && !this.field.disabled) return this.form.rawValue(this.name);
    const initial = (this.form.initial as Record<string, unknown>)[this.name];
    return initial !== undefined ? initial : this.field.initial;
  }

  widgetHtml(extra: Record<string, string | boolean | undefined> = {}): SafeHtml {
    const id = this.id;
    const described = [this.helpText && id ? `${id}_helptext` : '', this.errors.length && id ? `${id}_error` : '']
      .filter(Boolean).join(' ');
    return markSafe(this.field.widget.render(this.htmlName, this.value, {
      ...this.field.widgetAttrs(),
      id,
      'aria-describedby': described || undefined,
      'aria-invalid': this.errors.length ? 'true' : undefined,
      ...extra,
    }));
  }

  labelTag(): SafeHtml {
    return markSafe(`<label${attrs({ for: this.id })}>${escapeHtml(this.label)}${escapeHtml(labelSuffix())}</label>`);
  }

  errorsHtml(): SafeHtml {
    if (!this.errors.length) return markSafe('');
    const id = this.id ? `${this.id}_error` : undefined;
    return markSafe(`<ul${attrs({ class: 'errorlist', id })}>${this.errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>`);
  }

  /** The field's block: label (or legend for groups), help text, errors, control. */
  asDiv(): SafeHtml {
    if (this.isHidden) return this.widgetHtml();
    const cls = ['field', this.field.required ? 'required' : '', this.errors.length ? 'error' : ''].filter(Boolean).join(' ');
    const help = this.helpText ? `<div${attrs({ class: 'helptext', id: this.id ? `${this.id}_helptext` : undefined })}>${escapeHtml(this.helpText)}</div>` : '';
    if (this.field.widget.isGroup) {
      return markSafe(`<fieldset${attrs({ class: cls })}><legend>${escapeHtml(this.label)}${escapeHtml(labelSuffix())}</legend>${help}${this.errorsHtml()}${this.widgetHtml()}</fieldset>`);
    }
    return markSafe(`<div${attrs({ class: cls })}>${this.labelTag()}${help}${this.errorsHtml()}${this.widgetHtml()}</div>`);
  }

  toString(): string { return String(this.asDiv()); }
}

/** A set of fields bound (or not) to submitted data; usually made with defineForm(). */
export class Form<F extends FieldMap = FieldMap> {
  /** The form's fields. */
  readonly fields: F;
  /** Whether it was given data to check (an unbound form is never valid). */
  readonly isBound: boolean;
  /** The submitted fields. */
  readonly data: URLSearchParams;
  /** The submitted files. */
  readonly files: Map<string, UploadedFile[]>;
  /** Values an unbound form shows. */
  readonly initial: Partial<CleanedData<F>>;
  /** Prefix of the fields' HTML names (`prefix-name`), for several forms in one `<form>`. */
  readonly prefix: string;
  /** Pattern of the inputs' ids (`{name}` is the HTML name), or false for none. */
  readonly autoId: string | false;
  // Stored widened: hook parameter types would otherwise make Form<Specific> unassignable to Form<FieldMap>.
  readonly #hooks: FormHooks<FieldMap>;
  #errors: Record<string, ValidationIssue[]> | null = null;
  #cleaned: Partial<CleanedData<F>> = {};

  constructor(fields: F, init: FormInit<F> = {}, hooks: FormHooks<F> = {}) {
    this.fields = fields;
    const data = init.input?.data ?? init.data;
    this.isBound = data !== undefined || init.files !== undefined || init.input !== undefined;
    this.data = toParams(data);
    this.files = init.input?.files ?? init.files ?? new Map();
    this.initial = init.initial ?? {};
    this.prefix = init.prefix ?? '';
    this.autoId = init.autoId ?? 'id_{name}';
    this.#hooks = hooks as unknown as FormHooks<FieldMap>;
  }

  /** A field's submitted value, as its widget reads it. */
  rawValue(name: string): RawValue {
    const bf = this.field(name);
    return bf.field.widget.valueFromData(this.data, this.files, bf.htmlName);
  }

  /** One field of this form, with its value, errors and HTML. */
  field(name: keyof F & string): BoundField {
    const f = this.fields[name];
    if (!f) throw new ImproperlyConfigured(`The form has no field '${name}'. Its fields are: ${Object.keys(this.fields).join(', ')}.`);
    return new BoundField(this as unknown as Form<FieldMap>, name, f);
  }

  *[Symbol.iterator](): IterableIterator<BoundField> {
    for (const name of Object.keys(this.fields)) yield this.field(name as keyof F & string);
  }

  get visibleFields(): BoundField[] { return [...this].filter((b) => !b.isHidden); }
  get hiddenFields(): BoundField[] { return [...this].filter((b) => b.isHidden); }
  get isMultipart(): boolean { return Object.values(this.fields).some((f) => f.widget.needsMultipart); }

  /** Errors by field name ('__all__' for the form as a whole); empty until fullClean ran, and for unbound forms. */
  get errors(): Record<string, ValidationIssue[]> {
    return this.#errors ?? {};
  }

  /** Messages about the form as a whole. */
  nonFieldErrors(): string[] {
    return (this.errors[NON_FIELD_ERRORS] ?? []).map((i) => i.message);
  }

  /** Cleans every field, then the hooks; true when nothing failed. Runs once; later calls reuse the result. */
  async isValid(): Promise<boolean> {
    if (!this.isBound) return false;
    if (this.#errors === null) await this.fullClean();
    return Object.keys(this.errors).length === 0;
  }

  /** The typed values; only complete after isValid() returned true. */
  get cleanedData(): CleanedData<F> {
    if (this.#errors === null) throw new ImproperlyConfigured('Call `await form.isValid()` before reading form.cleanedData.');
    return this.#cleaned as CleanedData<F>;
  }

  /** Adds an error to a field (null: to the form); a ValidationError with fields puts each message on its field. */
  addError(field: (keyof F & string) | null, error: string | ValidationError): void {
    const errors = (this.#errors ??= {});
    const key = field ?? NON_FIELD_ERRORS;
    if (typeof error === 'string') error = new ValidationError(error);
    const routes: [string, ValidationIssue[]][] = [[key, error.issues], ...Object.entries(error.fieldIssues)];
    for (const [name, issues] of routes) {
      if (!issues.length) continue;
      const target = name in this.fields || name === NON_FIELD_ERRORS ? name : NON_FIELD_ERRORS;
      (errors[target] ??= []).push(...issues);
      delete (this.#cleaned as Record<string, unknown>)[target];
    }
  }

  async fullClean(): Promise<void> {
    this.#errors = {};
    this.#cleaned = {};
    if (!this.isBound) return;
    const cleaned = this.#cleaned as Record<string, unknown>;
    for (const [name, field] of Object.entries(this.fields)) {
      try {
        // A disabled field keeps its initial value whatever was submitted.
        const initial = (this.initial as Record<string, unknown>)[name];
        const withInitial = (field as { cleanWithInitial?: (raw: RawValue, initial: unknown) => unknown }).cleanWithInitial;
        let value = field.disabled
          ? (initial ?? field.initial ?? null)
          : withInitial ? withInitial.call(field, this.rawValue(name), initial) : field.clean(this.rawValue(name));
        const hook = this.#hooks.cleanField?.[name];
        if (hook) value = await hook(value, this as unknown as Form<FieldMap>);
        cleaned[name] = value;
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        this.addError(name as keyof F & string, e);
      }
    }
    if (this.#hooks.clean) {
      try {
        await this.#hooks.clean(this.#cleaned as CleanedData<FieldMap>, this as unknown as Form<FieldMap>);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        this.addError(null, e);
      }
    }
  }

  /** The fields as HTML: form-wide errors first, then each field block; hidden fields last. */
  asDiv(): SafeHtml {
    const top = [...this.nonFieldErrors(),
      ...this.hiddenFields.flatMap((b) => b.errors.map((e) => gettext('(Hidden field {name}) {error}', { name: b.name, error: e })))];
    const errors = top.length ? `<ul class="errorlist nonfield">${top.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>` : '';
    return markSafe(errors + this.visibleFields.map((b) => String(b.asDiv())).join('')
      + this.hiddenFields.map((b) => String(b.widgetHtml())).join(''));
  }

  /** A complete <form>: POST forms carry the CSRF token (pass the request), file fields switch to multipart. */
  renderForm(options: RenderFormOptions = {}): SafeHtml {
    const method = options.method ?? 'post';
    let csrf = '';
    if (method === 'post') {
      const token = options.csrfToken ?? options.request?.csrfToken();
      if (!token) {
        throw new ImproperlyConfigured('A POST form needs the CSRF token: call renderForm({ request: req }) (or pass csrfToken).');
      }
      csrf = `<input${attrs({ type: 'hidden', name: 'csrfmiddlewaretoken', value: token })}>`;
    }
    const formAttrs = attrs({
      method, action: options.action ?? '', enctype: this.isMultipart ? 'multipart/form-data' : undefined, ...options.attrs,
    });
    return markSafe(`<form${formAttrs}>${csrf}${this.asDiv()}<button type="submit">${escapeHtml(options.submitLabel ?? gettext('Submit'))}</button></form>`);
  }

  toString(): string { return String(this.asDiv()); }
}

/** What defineForm() returns: `new ContactForm({ input })`, and its `fields`. */
export interface FormClass<F extends FieldMap> {
  new (init?: FormInit<F>): Form<F>;
  readonly fields: F;
}

/**
 * Declares a form: `const Contact = defineForm({ email: fields.email() }, { clean(data) {...} })`,
 * then `const form = new Contact({ input: formInput(req) }); if (await form.isValid()) form.cleanedData.email`.
 */
export function defineForm<F extends FieldMap>(fields: F, hooks: FormHooks<F> = {}): FormClass<F> {
  return class extends Form<F> {
    static readonly fields = fields;
    constructor(init: FormInit<F> = {}) {
      super(fields, init, hooks);
    }
  };
}
