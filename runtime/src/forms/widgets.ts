// Widgets: how a field is drawn as HTML and how its raw value is read back from submitted data.
import type { Translatable } from '../i18n/lazy.js';
import { toLocalInput } from '../timezone/timezone.js';
import { attrs, escapeHtml, type Attrs } from './html.js';
import type { UploadedFile } from './uploads.js';

/** A field's value as submitted: text, several texts, a file or several, or nothing. */
export type RawValue = string | string[] | UploadedFile | UploadedFile[] | undefined;
/** One option of a choice field: the submitted value and the label people read. */
export type Choice = readonly [value: string, label: Translatable];

/** Draws a field as HTML (render) and reads its submitted value back (valueFromData). */
export interface Widget {
  /** Renders the control; `value` is what to show (the submitted raw value, or the initial value formatted). */
  render(name: string, value: unknown, attrs: Attrs): string;
  /** Reads this widget's raw value from submitted data. */
  valueFromData(data: URLSearchParams, files: Map<string, UploadedFile[]>, name: string): RawValue;
  /** File inputs need multipart/form-data. */
  readonly needsMultipart: boolean;
  readonly isHidden: boolean;
  /** Checkbox and radio groups are labelled by a fieldset legend, not a label with for=. */
  readonly isGroup: boolean;
  /** Extra attributes given when the widget was made (class, placeholder, ...). */
  readonly attrs: Attrs;
}

function show(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  return String(value);
}

/** An `<input>` of a given type. */
export class Input implements Widget {
  readonly needsMultipart: boolean = false;
  readonly isGroup: boolean = false;
  constructor(readonly inputType: string, readonly attrs: Attrs = {}) {}
  get isHidden(): boolean { return this.inputType === 'hidden'; }

  render(name: string, value: unknown, extra: Attrs): string {
    return `<input${attrs({ type: this.inputType, name, value: this.formatValue(value), ...this.attrs, ...extra })}>`;
  }

  formatValue(value: unknown): string | undefined {
    return show(value);
  }

  valueFromData(data: URLSearchParams, _files: Map<string, UploadedFile[]>, name: string): RawValue {
    return data.get(name) ?? undefined;
  }
}

/** A password input; never drawn with its value unless asked to. */
export class PasswordInput extends Input {
  /** Django's render_value=False: a password typed in is never sent back in the page. */
  constructor(attrs: Attrs = {}, readonly renderValue = false) { super('password', attrs); }
  override formatValue(value: unknown): string | undefined {
    return this.renderValue ? show(value) : undefined;
  }
}

/** An `<input type="date">`. */
export class DateInput extends Input {
  constructor(attrs: Attrs = {}) { super('date', attrs); }
  override formatValue(value: unknown): string | undefined {
    return value instanceof Date ? value.toISOString().slice(0, 10) : show(value);
  }
}

/** A wall-clock date and time in the current time zone (the visitor's, else TIME_ZONE), as datetime-local wants it. */
export class DateTimeInput extends Input {
  constructor(attrs: Attrs = {}) { super('datetime-local', attrs); }
  override formatValue(value: unknown): string | undefined {
    return value instanceof Date && !Number.isNaN(value.getTime()) ? toLocalInput(value) : show(value);
  }
}

/** An `<input type="file">`; its form needs multipart encoding. */
export class FileInput extends Input {
  override readonly needsMultipart = true;
  constructor(attrs: Attrs = {}) { super('file', attrs); }
  /** Browsers cannot pre-fill a file input; the value is never rendered. */
  override formatValue(): undefined { return undefined; }
  override valueFromData(_data: URLSearchParams, files: Map<string, UploadedFile[]>, name: string): RawValue {
    return files.get(name)?.[0];
  }
}

/** A `<textarea>`. */
export class Textarea implements Widget {
  readonly needsMultipart = false;
  readonly isHidden = false;
  readonly isGroup = false;
  constructor(readonly attrs: Attrs = { cols: 40, rows: 10 }) {}
  render(name: string, value: unknown, extra: Attrs): string {
    // The newline after <textarea> is eaten by HTML parsers; adding one keeps a value's leading newline.
    return `<textarea${attrs({ name, ...this.attrs, ...extra })}>\n${escapeHtml(show(value) ?? '')}</textarea>`;
  }
  valueFromData(data: URLSearchParams, _files: Map<string, UploadedFile[]>, name: string): RawValue {
    return data.get(name) ?? undefined;
  }
}

/** A checkbox: checked means "true", absent means "false". */
export class CheckboxInput implements Widget {
  readonly needsMultipart = false;
  readonly isHidden = false;
  readonly isGroup = false;
  constructor(readonly attrs: Attrs = {}) {}
  render(name: string, value: unknown, extra: Attrs): string {
    const checked = value === true || value === 'on' || value === 'true' || value === '1';
    const { required: _required, ...rest } = extra;
    return `<input${attrs({ type: 'checkbox', name, ...this.attrs, ...rest, checked })}>`;
  }
  /** An unchecked box sends nothing, so a missing value is "false", not "missing". */
  valueFromData(data: URLSearchParams, _files: Map<string, UploadedFile[]>, name: string): RawValue {
    const v = data.get(name);
    return v === null || v === 'false' || v === '0' || v === '' ? 'false' : 'true';
  }
}

/** A `<select>` of the field's choices (several with `multiple`). */
export class Select implements Widget {
  readonly needsMultipart = false;
  readonly isHidden = false;
  readonly isGroup = false;
  choices: readonly Choice[] = [];
  constructor(readonly attrs: Attrs = {}, readonly multiple = false) {}
  render(name: string, value: unknown, extra: Attrs): string {
    const selected = new Set((Array.isArray(value) ? value : [value]).map((v) => show(v)));
    const options = this.choices.map(([v, label]) =>
      `<option${attrs({ value: v, selected: selected.has(v) })}>${escapeHtml(label)}</option>`).join('');
    return `<select${attrs({ name, ...this.attrs, ...extra, multiple: this.multiple })}>${options}</select>`;
  }
  valueFromData(data: URLSearchParams, _files: Map<string, UploadedFile[]>, name: string): RawValue {
    return this.multiple ? data.getAll(name) : data.get(name) ?? undefined;
  }
}

/** Radio buttons or checkboxes for each choice, grouped in a fieldset by the form. */
export class ChoiceGroup implements Widget {
  readonly needsMultipart = false;
  readonly isHidden = false;
  readonly isGroup = true;
  choices: readonly Choice[] = [];
  constructor(readonly inputType: 'radio' | 'checkbox', readonly attrs: Attrs = {}) {}
  render(name: string, value: unknown, extra: Attrs): string {
    const selected = new Set((Array.isArray(value) ? value : [value]).map((v) => show(v)));
    const id = typeof extra.id === 'string' ? extra.id : undefined;
    const { id: _id, required, ...rest } = extra;
    return `<div${attrs({ id })}>${this.choices.map(([v, label], i) => {
      const optionId = id ? `${id}_${i}` : undefined;
      const input = `<input${attrs({ type: this.inputType, name, value: v, id: optionId, ...this.attrs, ...rest,
        required: this.inputType === 'radio' ? required : false, checked: selected.has(v) })}>`;
      return `<div><label${attrs({ for: optionId })}>${input} ${escapeHtml(label)}</label></div>`;
    }).join('')}</div>`;
  }
  valueFromData(data: URLSearchParams, _files: Map<string, UploadedFile[]>, name: string): RawValue {
    return this.inputType === 'checkbox' ? data.getAll(name) : data.get(name) ?? undefined;
  }
}

/** Widget constructors; each takes the input's HTML attributes: `widgets.text({ placeholder: 'Name' })`. */
export const widgets = {
  text: (a?: Attrs) => new Input('text', a),
  email: (a?: Attrs) => new Input('email', a),
  url: (a?: Attrs) => new Input('url', a),
  number: (a?: Attrs) => new Input('number', a),
  hidden: (a?: Attrs) => new Input('hidden', a),
  search: (a?: Attrs) => new Input('search', a),
  password: (a?: Attrs, renderValue = false) => new PasswordInput(a, renderValue),
  date: (a?: Attrs) => new DateInput(a),
  datetime: (a?: Attrs) => new DateTimeInput(a),
  file: (a?: Attrs) => new FileInput(a),
  textarea: (a?: Attrs) => new Textarea(a),
  checkbox: (a?: Attrs) => new CheckboxInput(a),
  select: (a?: Attrs) => new Select(a),
  selectMultiple: (a?: Attrs) => new Select(a, true),
  radios: (a?: Attrs) => new ChoiceGroup('radio', a),
  checkboxes: (a?: Attrs) => new ChoiceGroup('checkbox', a),
};
