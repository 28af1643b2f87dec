// Form fields: each turns a submitted raw value into a typed value or a ValidationError with a stable code,
// and tells its widget which HTML constraints to draw (required, maxlength, min, ...).
import { ValidationError, type ValidationIssue } from '../errors.js';
import { resolveText, type Translatable } from '../i18n/lazy.js';
import { gettextLazy, ngettextLazy } from '../i18n/translation.js';
import { fromWallTime, getCurrentTimezone } from '../timezone/timezone.js';
import type { Attrs } from './html.js';
import { imageDimensions } from '../files/images.js';
import type { UploadedFile } from './uploads.js';
import { ChoiceGroup, Input, Select, widgets, type Choice, type RawValue, type Widget } from './widgets.js';

// Method syntax makes the parameter bivariant, so a Field<string> still fits where any Field is expected.
/** An extra check of a field's cleaned value: throws ValidationError to reject it. */
export type Validator<T> = { check(value: T): void }['check'];

/** Options every form field takes. */
export interface FieldOptions<T> {
  /** Default true: an empty submission is an error ("This field is required."). */
  required?: boolean;
  /** Defaults to the field name, humanised ("first_name" → "First name"); gettextLazy('...') to translate it. */
  label?: Translatable;
  initial?: T | (() => T);
  helpText?: Translatable;
  widget?: Widget;
  /** Shown but not editable; the submitted value is ignored in favour of the initial one. */
  disabled?: boolean;
  validators?: readonly Validator<T>[];
  /** Replaces default messages by code ('required', 'max_length', 'invalid', ...). */
  errorMessages?: Readonly<Record<string, Translatable>>;
}

// Lazy: the messages are made once, at import, and shown in the language of each request.
const DEFAULT_MESSAGES: Record<string, Translatable> = {
  required: gettextLazy('This field is required.'),
  invalid: gettextLazy('Enter a valid value.'),
};

/** Whether a value counts as "nothing submitted": undefined, null, '' or an empty list. */
export function isEmpty(raw: unknown): boolean {
  return raw === undefined || raw === null || raw === '' || (Array.isArray(raw) && raw.length === 0);
}

/** A form field: turns the submitted raw value into a T (toValue), checks it (validate, validators), and tells its widget how to draw it. */
export abstract class Field<T> {
  /** An empty submission is an error. */
  readonly required: boolean;
  /** The label (default: the field's name, humanised). */
  readonly label: Translatable | undefined;
  /** Help shown with the field. */
  readonly helpText: Translatable;
  /** What draws the field and reads its value. */
  readonly widget: Widget;
  /** Shown but not editable: the submitted value is ignored. */
  readonly disabled: boolean;
  /** Extra checks on the cleaned value. */
  readonly validators: readonly Validator<T>[];
  readonly #initial: T | (() => T) | undefined;
  readonly #messages: Readonly<Record<string, Translatable>>;

  constructor(options: FieldOptions<T>, defaultWidget: Widget, messages: Record<string, Translatable> = {}) {
    this.required = options.required ?? true;
    this.label = options.label;
    this.helpText = options.helpText ?? '';
    this.widget = options.widget ?? defaultWidget;
    this.disabled = options.disabled ?? false;
    this.validators = options.validators ?? [];
    this.#initial = options.initial;
    this.#messages = { ...DEFAULT_MESSAGES, ...messages, ...options.errorMessages };
  }

  /** The value an unbound form shows. */
  get initial(): T | undefined {
    return typeof this.#initial === 'function' ? (this.#initial as () => T)() : this.#initial;
  }

  /** An error with this field's message for `code`, in the active language; `{name}` placeholders are filled from params. */
  error(code: string, params: Record<string, string | number> = {}): ValidationError {
    const message = this.#messages[code] ?? this.#messages.invalid ?? DEFAULT_MESSAGES.invalid as Translatable;
    return new ValidationError(resolveText(message, params), code, params);
  }

  /** Django's to_python: the raw submitted value as T (the empty value when nothing was submitted). */
  abstract toValue(raw: RawValue): T;

  /** Checks that need the typed value; the base checks "required". */
  validate(value: T): void {
    if (this.required && isEmpty(value)) throw this.error('required');
  }

  /** toValue, validate, then the validators: the cleaned value, or a ValidationError with every problem. */
  clean(raw: RawValue): T {
    const value = this.toValue(raw);
    this.validate(value);
    if (!isEmpty(value)) {
      const issues: ValidationIssue[] = [];
      for (const v of this.validators) {
        try {
          v(value);
        } catch (e) {
          if (!(e instanceof ValidationError)) throw e;
          issues.push(...e.issues, ...Object.values(e.fieldIssues).flat());
        }
      }
      if (issues.length) throw new ValidationError(issues);
    }
    return value;
  }

  /** HTML constraint attributes for the widget, so browsers validate before submitting. */
  widgetAttrs(): Attrs {
    return { required: this.required && !this.disabled, disabled: this.disabled };
  }
}

function single(raw: RawValue): string | undefined {
  if (Array.isArray(raw)) raw = raw[raw.length - 1];
  return typeof raw === 'string' ? raw : undefined;
}

/** Options of text fields. */
export interface CharOptions extends FieldOptions<string> {
  maxLength?: number;
  minLength?: number;
  /** Default true: leading and trailing whitespace is removed. */
  strip?: boolean;
}

/** Text (a text input by default): trimmed, with optional length limits; nothing submitted is ''. */
export class CharField extends Field<string> {
  readonly maxLength: number | undefined;
  readonly minLength: number | undefined;
  readonly strip: boolean;

  constructor(options: CharOptions = {}, defaultWidget: Widget = widgets.text()) {
    super(options, defaultWidget, {
      max_length: ngettextLazy('Ensure this value has at most {max} character (it has {n}).',
        'Ensure this value has at most {max} characters (it has {n}).', 'max'),
      min_length: ngettextLazy('Ensure this value has at least {min} character (it has {n}).',
        'Ensure this value has at least {min} characters (it has {n}).', 'min'),
      null_characters_not_allowed: gettextLazy('Null characters are not allowed.'),
    });
    this.maxLength = options.maxLength;
    this.minLength = options.minLength;
    this.strip = options.strip ?? true;
  }

  toValue(raw: RawValue): string {
    let s = single(raw) ?? '';
    if (this.strip) s = s.trim();
    if (s.includes('\0')) throw this.error('null_characters_not_allowed');
    return s;
  }

  override validate(value: string): void {
    super.validate(value);
    const n = [...value].length;
    if (value !== '' && this.maxLength !== undefined && n > this.maxLength) throw this.error('max_length', { max: this.maxLength, n });
    if (value !== '' && this.minLength !== undefined && n < this.minLength) throw this.error('min_length', { min: this.minLength, n });
  }

  override widgetAttrs(): Attrs {
    const a = super.widgetAttrs();
    if (this.widget instanceof Input && this.widget.isHidden) return a;
    return { ...a, maxlength: this.maxLength, minlength: this.minLength };
  }
}

// A practical e-mail check (not the full RFC grammar): one @, no spaces or control characters, a dotted domain.
const EMAIL = /^[^\s@<>()[\]\\,;:"\p{Cc}]+@(?:[\p{L}\p{N}](?:[-\p{L}\p{N}]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$/u;

/** An e-mail address. */
export class EmailField extends CharField {
  constructor(options: CharOptions = {}) {
    super({ maxLength: 320, ...options, errorMessages: { invalid: gettextLazy('Enter a valid email address.'), ...options.errorMessages } }, widgets.email());
  }

  override validate(value: string): void {
    super.validate(value);
    if (value !== '' && !EMAIL.test(value)) throw this.error('invalid');
  }
}

/** An absolute URL whose scheme is one of `schemes` (http and https by default). */
export class URLField extends CharField {
  readonly schemes: readonly string[];

  constructor(options: CharOptions & { schemes?: readonly string[] } = {}) {
    super({ maxLength: 2048, ...options, errorMessages: { invalid: gettextLazy('Enter a valid URL.'), ...options.errorMessages } }, widgets.url());
    this.schemes = options.schemes ?? ['http', 'https'];
  }

  override toValue(raw: RawValue): string {
    const s = super.toValue(raw);
    if (s === '') return s;
    // "example.com/page" means https://example.com/page; anything with another scheme is checked below.
    return /^[a-z][a-z0-9+.-]*:/i.test(s) ? s : `https://${s}`;
  }

  override validate(value: string): void {
    super.validate(value);
    if (value === '') return;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw this.error('invalid');
    }
    // javascript:, data: and friends never pass: only the listed schemes, with a host.
    if (!this.schemes.includes(url.protocol.slice(0, -1)) || !url.hostname) throw this.error('invalid');
  }
}

/** Letters, digits, hyphens and underscores (any letters with `allowUnicode`). */
export class SlugField extends CharField {
  readonly allowUnicode: boolean;

  constructor(options: CharOptions & { allowUnicode?: boolean } = {}) {
    super({ maxLength: 50, ...options, errorMessages: {
      invalid: gettextLazy('Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.'), ...options.errorMessages } });
    this.allowUnicode = options.allowUnicode ?? false;
  }

  override validate(value: string): void {
    super.validate(value);
    const re = this.allowUnicode ? /^[-\p{L}\p{N}_]+$/u : /^[-a-zA-Z0-9_]+$/;
    if (value !== '' && !re.test(value)) throw this.error('invalid');
  }
}

/** Options of number fields: bounds and step. */
export interface NumberOptions<T> extends FieldOptions<T> {
  minValue?: number;
  maxValue?: number;
  step?: number;
}

abstract class NumberField<N extends number | null> extends Field<N> {
  readonly minValue: number | undefined;
  readonly maxValue: number | undefined;
  readonly step: number | undefined;

  constructor(options: NumberOptions<N>, invalid: Translatable) {
    super(options, widgets.number(), {
      invalid,
      min_value: gettextLazy('Ensure this value is greater than or equal to {min}.'),
      max_value: gettextLazy('Ensure this value is less than or equal to {max}.'),
      step_size: gettextLazy('Ensure this value is a multiple of step size {step}.'),
    });
    this.minValue = options.minValue;
    this.maxValue = options.maxValue;
    this.step = options.step;
  }

  protected abstract parse(s: string): number | undefined;

  toValue(raw: RawValue): N {
    const s = (single(raw) ?? '').trim();
    if (s === '') return null as N;
    const n = this.parse(s);
    if (n === undefined) throw this.error('invalid');
    return n as N;
  }

  override validate(value: N): void {
    super.validate(value);
    if (value === null) return;
    if (this.minValue !== undefined && value < this.minValue) throw this.error('min_value', { min: this.minValue });
    if (this.maxValue !== undefined && value > this.maxValue) throw this.error('max_value', { max: this.maxValue });
    if (this.step !== undefined && Math.abs(Math.round(value / this.step) * this.step - value) > 1e-9) {
      throw this.error('step_size', { step: this.step });
    }
  }

  override widgetAttrs(): Attrs {
    return { ...super.widgetAttrs(), min: this.minValue, max: this.maxValue, step: this.step };
  }
}

/** A whole number (null when not required and empty). */
export class IntegerField<N extends number | null = number> extends NumberField<N> {
  constructor(options: NumberOptions<N> = {}) {
    super(options, gettextLazy('Enter a whole number.'));
  }

  protected parse(s: string): number | undefined {
    if (!/^[+-]?\d+$/.test(s)) return undefined;
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : undefined;
  }
}

/** A number (null when not required and empty). */
export class FloatField<N extends number | null = number> extends NumberField<N> {
  constructor(options: NumberOptions<N> = {}) {
    super(options, gettextLazy('Enter a number.'));
  }

  protected parse(s: string): number | undefined {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return undefined;
    const n = Number(s);
    return Number.isFinite(n) ? n : undefined;
  }
}

/** A checkbox. Required means it must be ticked (e.g. "I accept the terms"); usually you want required: false. */
export class BooleanField extends Field<boolean> {
  constructor(options: FieldOptions<boolean> = {}) {
    super(options, widgets.checkbox());
  }

  toValue(raw: RawValue): boolean {
    const s = single(raw);
    return s !== undefined && !['', 'false', '0', 'off'].includes(s.toLowerCase());
  }

  override validate(value: boolean): void {
    if (this.required && !value) throw this.error('required');
  }
}

/** Options of choice fields: the `[value, label]` pairs offered (or a function returning them). */
export interface ChoiceOptions<T> extends FieldOptions<T> {
  choices: readonly Choice[] | (() => readonly Choice[]);
}

function withChoices(widget: Widget, choices: readonly Choice[]): Widget {
  if (widget instanceof Select || widget instanceof ChoiceGroup) widget.choices = choices;
  return widget;
}

/** One of the offered values (a select by default); anything else is refused. */
export class ChoiceField extends Field<string> {
  readonly #choices: ChoiceOptions<string>['choices'];

  constructor(options: ChoiceOptions<string>) {
    super(options, widgets.select(), { invalid_choice: gettextLazy('Select a valid choice. {value} is not one of the available choices.') });
    this.#choices = options.choices;
    withChoices(this.widget, this.choices);
  }

  get choices(): readonly Choice[] {
    return typeof this.#choices === 'function' ? this.#choices() : this.#choices;
  }

  toValue(raw: RawValue): string {
    return (single(raw) ?? '').trim();
  }

  override validate(value: string): void {
    super.validate(value);
    // Only values we offered: a tampered <option> value is refused.
    if (value !== '' && !this.choices.some(([v]) => v === value)) throw this.error('invalid_choice', { value });
  }
}

/** Any of the offered values (a multiple select by default). */
export class MultipleChoiceField extends Field<string[]> {
  readonly #choices: ChoiceOptions<string[]>['choices'];

  constructor(options: ChoiceOptions<string[]>) {
    super(options, widgets.selectMultiple(), {
      invalid_choice: gettextLazy('Select a valid choice. {value} is not one of the available choices.'),
      invalid_list: gettextLazy('Enter a list of values.'),
    });
    this.#choices = options.choices;
    withChoices(this.widget, this.choices);
  }

  get choices(): readonly Choice[] {
    return typeof this.#choices === 'function' ? this.#choices() : this.#choices;
  }

  toValue(raw: RawValue): string[] {
    if (raw === undefined) return [];
    if (typeof raw === 'string') return raw === '' ? [] : [raw];
    if (!Array.isArray(raw) || raw.some((v) => typeof v !== 'string')) throw this.error('invalid_list');
    return [...new Set(raw as string[])];
  }

  override validate(value: string[]): void {
    super.validate(value);
    for (const v of value) if (!this.choices.some(([c]) => c === v)) throw this.error('invalid_choice', { value: v });
  }
}

/** 'YYYY-MM-DD' as 00:00 UTC, or null for days that do not exist (Date would roll 02-31 over to March). */
function calendarDay(s: string): Date | null {
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? date : null;
}

/** Dates are calendar days at 00:00 UTC. */
export class DateField<D extends Date | null = Date> extends Field<D> {
  constructor(options: FieldOptions<D> = {}) {
    super(options, widgets.date(), { invalid: gettextLazy('Enter a valid date.') });
  }

  toValue(raw: RawValue): D {
    const s = (single(raw) ?? '').trim();
    if (s === '') return null as D;
    const d = /^\d{4}-\d{2}-\d{2}$/.test(s) ? calendarDay(s) : null;
    if (!d) throw this.error('invalid');
    return d as D;
  }
}

/**
 * ISO 8601 date-times (what <input type="datetime-local"> sends). Without an offset they are wall-clock times in the
 * current time zone (the visitor's, else TIME_ZONE); a time the clocks skip or repeat there is refused.
 */
export class DateTimeField<D extends Date | null = Date> extends Field<D> {
  constructor(options: FieldOptions<D> = {}) {
    super(options, widgets.datetime(), {
      invalid: gettextLazy('Enter a valid date/time.'),
      ambiguous_timezone: gettextLazy('“{datetime}” couldn’t be interpreted in time zone {timezone}; it may be ambiguous or it may not exist.'),
    });
  }

  toValue(raw: RawValue): D {
    const s = (single(raw) ?? '').trim();
    if (s === '') return null as D;
    const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
    if (!m || !calendarDay(`${m[1]}-${m[2]}-${m[3]}`) || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) throw this.error('invalid');
    if (m[8]) {
      const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${m[7] ? `.${m[7]}` : ''}${m[8]}`);
      if (Number.isNaN(d.getTime())) throw this.error('invalid');
      return d as D;
    }
    const zone = getCurrentTimezone();
    try {
      return fromWallTime({
        year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4]), minute: Number(m[5]),
        second: Number(m[6] ?? 0), millisecond: Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000),
      }, zone) as D;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw this.error('ambiguous_timezone', { datetime: s, timezone: zone });
    }
  }
}

/** Options of file fields: size and extension limits. */
export interface FileOptions extends FieldOptions<UploadedFile | null> {
  /** Bytes. */
  maxSize?: number;
  /** Lower-case extensions without the dot, e.g. ['png', 'jpg']. */
  allowedExtensions?: readonly string[];
  allowEmptyFile?: boolean;
}

/** An uploaded file (needs a multipart form), or null when none was sent and it is not required. */
export class FileField extends Field<UploadedFile | null> {
  readonly maxSize: number | undefined;
  readonly allowedExtensions: readonly string[] | undefined;
  readonly allowEmptyFile: boolean;

  constructor(options: FileOptions = {}) {
    super(options, widgets.file(), {
      invalid: gettextLazy('No file was submitted. Check the encoding type on the form.'),
      empty: gettextLazy('The submitted file is empty.'),
      missing_name: gettextLazy('The submitted file has no usable name.'),
      max_size: gettextLazy('The file is too large ({size} bytes); the limit is {max} bytes.'),
      invalid_extension: gettextLazy('File extension “{ext}” is not allowed. Allowed extensions are: {allowed}.'),
    });
    this.maxSize = options.maxSize;
    this.allowedExtensions = options.allowedExtensions?.map((e) => e.toLowerCase());
    this.allowEmptyFile = options.allowEmptyFile ?? false;
  }

  toValue(raw: RawValue): UploadedFile | null {
    if (raw === undefined || raw === '') return null;
    const file = Array.isArray(raw) ? raw[0] : raw;
    if (file === undefined || typeof file === 'string' || typeof file.size !== 'number') throw this.error('invalid');
    if (!file.name) throw this.error('missing_name');
    if (!this.allowEmptyFile && file.size === 0) throw this.error('empty');
    return file;
  }

  override validate(value: UploadedFile | null): void {
    super.validate(value);
    if (!value) return;
    if (this.maxSize !== undefined && value.size > this.maxSize) throw this.error('max_size', { size: value.size, max: this.maxSize });
    if (this.allowedExtensions) {
      const dot = value.name.lastIndexOf('.');
      const ext = dot > 0 ? value.name.slice(dot + 1).toLowerCase() : '';
      if (!this.allowedExtensions.includes(ext)) {
        throw this.error('invalid_extension', { ext, allowed: this.allowedExtensions.join(', ') });
      }
    }
  }

  override widgetAttrs(): Attrs {
    const accept = this.allowedExtensions?.map((e) => `.${e}`).join(',');
    return { ...super.widgetAttrs(), accept };
  }

  /**
   * Django's FileField.clean(data, initial): nothing uploaded keeps the file the object already has (a file input
   * cannot be pre-filled), so editing an object does not ask for its file again.
   */
  cleanWithInitial(raw: RawValue, initial: unknown): UploadedFile | null {
    const empty = raw === undefined || raw === '' || (Array.isArray(raw) && raw.length === 0);
    if (empty && initial !== undefined && initial !== null && initial !== '') return initial as UploadedFile;
    return this.clean(raw);
  }
}

/** A FileField that accepts only images, read from the file's header (PNG, JPEG, GIF, WebP, AVIF, ...). */
export class ImageField extends FileField {
  constructor(options: FileOptions = {}) {
    super({ allowedExtensions: undefined, ...options });
  }

  override validate(value: UploadedFile | null): void {
    super.validate(value);
    if (value && !imageDimensions(value.data)) {
      throw new ValidationError('Upload a valid image. The file you uploaded was either not an image or a corrupted image.', 'invalid_image');
    }
  }

  override widgetAttrs(): Attrs {
    return { ...super.widgetAttrs(), accept: super.widgetAttrs().accept ?? 'image/*' };
  }
}

type Opt<R> = R extends false ? null : never;

/** Field constructors; `required: false` widens the cleaned type with null where "nothing" is not ''. */
export const fields = {
  char: (o?: CharOptions) => new CharField(o),
  text: (o: CharOptions = {}) => new CharField({ widget: widgets.textarea(), ...o }),
  password: (o: CharOptions = {}) => new CharField({ widget: widgets.password(), strip: false, ...o }),
  email: (o?: CharOptions) => new EmailField(o),
  url: (o?: CharOptions & { schemes?: readonly string[] }) => new URLField(o),
  slug: (o?: CharOptions & { allowUnicode?: boolean }) => new SlugField(o),
  integer: <R extends boolean = true>(o: NumberOptions<number> & { required?: R } = {}) =>
    new IntegerField<number | Opt<R>>(o as NumberOptions<number | Opt<R>>),
  float: <R extends boolean = true>(o: NumberOptions<number> & { required?: R } = {}) =>
    new FloatField<number | Opt<R>>(o as NumberOptions<number | Opt<R>>),
  boolean: (o?: FieldOptions<boolean>) => new BooleanField(o),
  choice: (o: ChoiceOptions<string>) => new ChoiceField(o),
  multipleChoice: (o: ChoiceOptions<string[]>) => new MultipleChoiceField(o),
  date: <R extends boolean = true>(o: FieldOptions<Date> & { required?: R } = {}) =>
    new DateField<Date | Opt<R>>(o as FieldOptions<Date | Opt<R>>),
  datetime: <R extends boolean = true>(o: FieldOptions<Date> & { required?: R } = {}) =>
    new DateTimeField<Date | Opt<R>>(o as FieldOptions<Date | Opt<R>>),
  file: (o?: FileOptions) => new FileField(o),
  image: (o?: FileOptions) => new ImageField(o),
};
