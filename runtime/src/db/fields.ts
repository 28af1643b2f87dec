// Field types: each knows its column type, how to check and convert a value for the database, and how to read it back.
// A field's type parameters (value, nullable, optional on create) are what make model instances typed from their definition.
import { randomUUID } from 'node:crypto';
import { ModelDefinitionError, ValidationError, type ValidationIssue } from '../errors.js';
import type { Translatable } from '../i18n/lazy.js';
import { fromWallTime, getDefaultTimezone } from '../timezone/timezone.js';
import type { AnyModelClass, AnyInstance, ModelMeta } from './model.js';
import { FieldFile, isFileContent, type FileContent } from '../files/file.js';
import { imageDimensions } from '../files/images.js';
import { defaultStorage, type Storage } from '../files/storage.js';

export type OnDelete = 'cascade' | 'protect' | 'restrict' | 'setNull' | 'setDefault' | 'doNothing';
/** What a JSON field holds: JSON scalars, arrays and objects (their members are not checked statically). */
export type JsonValue = string | number | boolean | null | readonly unknown[] | { [key: string]: unknown };
/** A value, or a value and its label for people (gettextLazy('...') to translate it). */
export type Choice<T> = T | readonly [T, Translatable];

export interface FieldOptions<T> {
  null?: boolean;
  blank?: boolean;
  default?: T | (() => T);
  unique?: boolean;
  index?: boolean;
  primaryKey?: boolean;
  choices?: readonly Choice<T>[];
  dbColumn?: string;
  verboseName?: Translatable;
  helpText?: Translatable;
  editable?: boolean;
  /** Extra checks run by fullClean(): throw a ValidationError (or return a message) to reject the value. */
  validators?: ReadonlyArray<(value: T) => string | undefined | void>;
}

export interface StoredOptions {
  null?: boolean;
  blank?: boolean;
  default?: unknown;
  unique?: boolean;
  index?: boolean;
  primaryKey?: boolean;
  choices?: readonly unknown[];
  dbColumn?: string;
  validators?: ReadonlyArray<(value: never) => string | undefined | void>;
  [key: string]: unknown;
}

/** The serialisable description of a field that migrations store and compare. */
export interface FieldSpec {
  type: string;
  column: string;
  options: Record<string, unknown>;
}

/** A model class of any field types (a typed `model()` class is not an AnyModelClass: its constructor is typed). */
type ModelLike = { readonly _meta: ModelMeta };

/** A reference to another model: 'app.Model', 'self', the class, or a function returning it (for cycles). */
export type ModelRef = string | ModelLike | (() => ModelLike);

type NullOf<Opt> = Opt extends { null: true } ? true : false;
type OptionalOf<Opt> = Opt extends { null: true } ? true
  : Opt extends { default: unknown } ? true
  : Opt extends { autoNow: true } ? true
  : Opt extends { autoNowAdd: true } ? true
  : Opt extends { primaryKey: true } ? true : false;

// Options that describe behaviour, not the column: migrations ignore them.
const NON_DB_OPTIONS = new Set(['validators', 'verboseName', 'helpText', 'choices', 'blank', 'editable', 'relatedName', 'default', 'uploadTo', 'storage', 'widthField', 'heightField']);

export abstract class Field<T = unknown, N extends boolean = boolean, O extends boolean = boolean> {
  /** Phantom members carrying the types; they never exist at run time. */
  declare readonly __value: T;
  declare readonly __null: N;
  declare readonly __optional: O;

  abstract readonly type: string;
  /** Set when the model is built. */
  name = '';
  column = '';
  /** The property on instances holding the stored value (`authorId` for a foreign key `author`). */
  attname = '';
  modelLabel = '';
  // Stored untyped in T so that a Field<string> is still a Field<unknown> (validators would make T contravariant).
  readonly options: StoredOptions;

  constructor(options: object = {}) {
    this.options = options as StoredOptions;
  }

  get null(): boolean { return this.options.null === true; }
  get primaryKey(): boolean { return this.options.primaryKey === true; }
  get unique(): boolean { return this.options.unique === true || this.primaryKey; }
  get isRelation(): boolean { return false; }
  /** Whether the field is a column on the model's table (many-to-many is not). */
  get concrete(): boolean { return true; }

  bind(modelLabel: string, name: string): void {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) {
      throw new ModelDefinitionError(`${modelLabel}: field name "${name}" must be letters and digits, starting with a letter (camelCase; no "__").`);
    }
    this.modelLabel = modelLabel;
    this.name = name;
    this.attname = name;
    const column = this.options.dbColumn ?? snakeCase(name);
    if (typeof column !== 'string' || !/^[a-z_][a-z0-9_]*$/.test(column) || column.length > 63) {
      throw new ModelDefinitionError(`${modelLabel}.${name}: dbColumn "${String(column)}" must be lower-case letters, digits and _ (at most 63).`);
    }
    this.column = column;
  }

  /** The SQL column type. */
  abstract dbType(): string;

  /** Runs in save() before the row is written (file fields store their upload here); most fields need nothing. */
  preSave(_instance: AnyInstance, _adding: boolean): void | Promise<void> {}

  hasDefault(): boolean { return this.options.default !== undefined; }
  getDefault(): T | null | undefined {
    const d = this.options.default;
    if (d === undefined) return this.null ? null : undefined;
    return (typeof d === 'function' ? (d as () => T)() : d) as T;
  }

  /** Checks and converts a JS value into the parameter sent to Postgres; throws a message (string) when it does not fit. */
  toDb(value: unknown): unknown {
    if (value === null || value === undefined) return null;
    return this.prepare(value);
  }
  protected abstract prepare(value: unknown): unknown;

  /** Converts what the driver returned into the JS value. */
  fromDb(value: unknown): T | null {
    if (value === null || value === undefined) return null;
    return this.parse(value);
  }
  protected parse(value: unknown): T { return value as T; }

  /** fullClean(): every issue with this value (null, blank, the type's own checks, choices, validators). */
  validate(value: unknown): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    if (value === null || value === undefined) {
      if (!this.null && !this.primaryKey) issues.push({ code: 'null', message: 'This field cannot be null.' });
      return issues;
    }
    if (value === '' && !this.options.blank) issues.push({ code: 'blank', message: 'This field cannot be blank.' });
    try {
      this.prepare(value);
    } catch (err) {
      issues.push({ code: 'invalid', message: typeof err === 'string' ? err : (err as Error).message });
      return issues;
    }
    const choices = this.options.choices;
    if (choices && value !== '' && !choices.some((c) => (Array.isArray(c) ? c[0] : c) === value)) {
      issues.push({ code: 'invalid_choice', message: `Value ${JSON.stringify(value)} is not a valid choice.`, params: { value } });
    }
    for (const v of this.options.validators ?? []) {
      try {
        const msg = v(value as never);
        if (msg) issues.push({ code: 'invalid', message: msg });
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        issues.push(...err.issues, ...Object.values(err.fieldIssues).flat());
      }
    }
    return issues;
  }

  deconstruct(): FieldSpec {
    const options: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.options)) {
      if (v === undefined || NON_DB_OPTIONS.has(k) || k === 'dbColumn' || typeof v === 'function') continue;
      options[k] = v;
    }
    // A literal default matters to migrations (it fills existing rows when the column is added).
    const d = this.options.default;
    if (d !== undefined && typeof d !== 'function') options.default = d instanceof Date ? d.toISOString() : d;
    return { type: this.type, column: this.column, options };
  }
}

export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

// ---------------------------------------------------------------- scalar fields

export class AutoField extends Field<number, false, true> {
  readonly type = 'auto';
  dbType(): string { return 'bigint'; }
  protected prepare(v: unknown): unknown { return integerParam(v, Number.MAX_SAFE_INTEGER); }
  protected override parse(v: unknown): number { return Number(v); }
}

function integerParam(v: unknown, max: number): number {
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw `Expected a whole number, got ${describe(v)}.`;
  if (n > max || n < -max - 1) throw `Value ${n} is out of range (at most ${max}).`;
  return n;
}

function describe(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' ? Object.prototype.toString.call(v) : String(v);
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

function stringParam(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  throw `Expected text, got ${describe(v)}.`;
}

export interface CharOptions extends FieldOptions<string> { maxLength?: number }

export class CharField<N extends boolean = boolean, O extends boolean = boolean> extends Field<string, N, O> {
  readonly type: string = 'char';
  protected defaultMaxLength(): number | undefined { return undefined; }
  #maxLength: number | undefined;
  get maxLength(): number {
    if (this.#maxLength !== undefined) return this.#maxLength;
    const m = (this.options.maxLength as number | undefined) ?? this.defaultMaxLength();
    if (!Number.isInteger(m) || (m as number) < 1) throw new ModelDefinitionError(`${this.modelLabel}.${this.name}: char fields need maxLength (a positive integer).`);
    return (this.#maxLength = m as number);
  }
  dbType(): string { return `varchar(${this.maxLength})`; }
  protected pattern(): { re: RegExp; message: string } | null { return null; }
  protected prepare(v: unknown): unknown {
    const s = stringParam(v);
    if (s.length > this.maxLength) throw `Ensure this value has at most ${this.maxLength} characters (it has ${s.length}).`;
    const p = this.pattern();
    if (p && s !== '' && !p.re.test(s)) throw p.message;
    return s;
  }
}

const SLUG = { re: /^[-a-zA-Z0-9_]+$/, message: 'Enter a valid slug: letters, numbers, underscores or hyphens.' };
const EMAIL = { re: /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/, message: 'Enter a valid email address.' };
const URL_PATTERN = { re: /^https?:\/\/[^\s/$.?#][^\s]*$/i, message: 'Enter a valid URL (http:// or https://).' };

export class SlugField<N extends boolean = boolean, O extends boolean = boolean> extends CharField<N, O> {
  override readonly type = 'slug';
  protected override defaultMaxLength(): number { return 50; }
  protected override pattern(): { re: RegExp; message: string } { return SLUG; }
}

export class EmailField<N extends boolean = boolean, O extends boolean = boolean> extends CharField<N, O> {
  override readonly type = 'email';
  protected override defaultMaxLength(): number { return 254; }
  protected override pattern(): { re: RegExp; message: string } { return EMAIL; }
}

export class URLField<N extends boolean = boolean, O extends boolean = boolean> extends CharField<N, O> {
  override readonly type = 'url';
  protected override defaultMaxLength(): number { return 200; }
  protected override pattern(): { re: RegExp; message: string } { return URL_PATTERN; }
}

export class TextField<N extends boolean = boolean, O extends boolean = boolean> extends Field<string, N, O> {
  readonly type = 'text';
  dbType(): string { return 'text'; }
  protected prepare(v: unknown): unknown { return stringParam(v); }
}

export class IntegerField<N extends boolean = boolean, O extends boolean = boolean> extends Field<number, N, O> {
  readonly type = 'integer';
  dbType(): string { return 'integer'; }
  protected prepare(v: unknown): unknown { return integerParam(v, 2147483647); }
  protected override parse(v: unknown): number { return Number(v); }
}

export class BigIntegerField<N extends boolean = boolean, O extends boolean = boolean> extends Field<bigint, N, O> {
  readonly type = 'bigInteger';
  dbType(): string { return 'bigint'; }
  protected prepare(v: unknown): unknown {
    let b: bigint;
    try {
      b = typeof v === 'bigint' ? v : typeof v === 'number' && Number.isInteger(v) ? BigInt(v)
        : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? BigInt(v.trim()) : (() => { throw new Error(); })();
    } catch {
      throw `Expected a whole number, got ${describe(v)}.`;
    }
    if (b > 9223372036854775807n || b < -9223372036854775808n) throw `Value ${b} is out of range for a big integer.`;
    return b.toString();
  }
  protected override parse(v: unknown): bigint { return BigInt(v as string); }
}

export class FloatField<N extends boolean = boolean, O extends boolean = boolean> extends Field<number, N, O> {
  readonly type = 'float';
  dbType(): string { return 'double precision'; }
  protected prepare(v: unknown): unknown {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || Number.isNaN(n)) throw `Expected a number, got ${describe(v)}.`;
    return n;
  }
  protected override parse(v: unknown): number { return Number(v); }
}

export interface DecimalOptions extends FieldOptions<string> { maxDigits: number; decimalPlaces: number }

/** Exact decimals travel as strings ("12.50") so no precision is lost to floats. */
export class DecimalField<N extends boolean = boolean, O extends boolean = boolean> extends Field<string, N, O> {
  readonly type = 'decimal';
  dbType(): string {
    const { maxDigits, decimalPlaces } = this.options as unknown as DecimalOptions;
    if (!Number.isInteger(maxDigits) || !Number.isInteger(decimalPlaces) || decimalPlaces > maxDigits || decimalPlaces < 0) {
      throw new ModelDefinitionError(`${this.modelLabel}.${this.name}: decimal fields need integer maxDigits >= decimalPlaces >= 0.`);
    }
    return `numeric(${maxDigits}, ${decimalPlaces})`;
  }
  protected prepare(v: unknown): unknown {
    const s = typeof v === 'number' && Number.isFinite(v) ? String(v) : v;
    if (typeof s !== 'string' || !/^-?\d+(\.\d+)?$/.test(s.trim())) throw `Expected a decimal number, got ${describe(v)}.`;
    const { maxDigits, decimalPlaces } = this.options as unknown as DecimalOptions;
    const [int = '', frac = ''] = s.trim().replace('-', '').split('.');
    const intDigits = int.replace(/^0+(?=\d)/, '').length;
    if (frac.replace(/0+$/, '').length > decimalPlaces) throw `Ensure there are no more than ${decimalPlaces} decimal places.`;
    if (intDigits > maxDigits - decimalPlaces) throw `Ensure there are no more than ${maxDigits - decimalPlaces} digits before the decimal point.`;
    return s.trim();
  }
  protected override parse(v: unknown): string { return String(v); }
}

export class BooleanField<N extends boolean = boolean, O extends boolean = boolean> extends Field<boolean, N, O> {
  readonly type = 'boolean';
  dbType(): string { return 'boolean'; }
  protected prepare(v: unknown): unknown {
    if (typeof v !== 'boolean') throw `Expected true or false, got ${describe(v)}.`;
    return v;
  }
}

export interface DateTimeOptions<T> extends FieldOptions<T> { autoNow?: boolean; autoNowAdd?: boolean }

/** A calendar date as "YYYY-MM-DD" (JS has no date-only type; a Date is accepted and read in UTC). */
export class DateField<N extends boolean = boolean, O extends boolean = boolean> extends Field<string, N, O> {
  readonly type = 'date';
  dbType(): string { return 'date'; }
  protected prepare(v: unknown): unknown {
    if (v instanceof Date && !Number.isNaN(v.getTime())) return v.toISOString().slice(0, 10);
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))) return v;
    throw `Expected a date (YYYY-MM-DD), got ${describe(v)}.`;
  }
  protected override parse(v: unknown): string { return v instanceof Date ? v.toISOString().slice(0, 10) : String(v); }
}

export class DateTimeField<N extends boolean = boolean, O extends boolean = boolean> extends Field<Date, N, O> {
  readonly type = 'datetime';
  dbType(): string { return 'timestamp with time zone'; }
  protected prepare(v: unknown): unknown {
    const d = v instanceof Date ? v : typeof v === 'string' ? parseDateTime(v) : typeof v === 'number' ? new Date(v) : null;
    if (!d || Number.isNaN(d.getTime())) throw `Expected a date and time, got ${describe(v)}.`;
    return d.toISOString();
  }
  protected override parse(v: unknown): Date { return v instanceof Date ? v : new Date(String(v)); }
}

/**
 * A datetime string as an instant. One without an offset ('2026-03-01 10:00') is a wall-clock time in TIME_ZONE, as
 * Django reads naive datetimes (JS would read it in the server process's zone).
 */
function parseDateTime(s: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/.exec(s.trim());
  if (!m) return new Date(s);
  try {
    return fromWallTime({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4]), minute: Number(m[5]),
      second: Number(m[6] ?? 0), millisecond: Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000) }, getDefaultTimezone());
  } catch {
    return null;
  }
}

/** A time of day as "HH:MM:SS[.ffffff]". */
export class TimeField<N extends boolean = boolean, O extends boolean = boolean> extends Field<string, N, O> {
  readonly type = 'time';
  dbType(): string { return 'time'; }
  protected prepare(v: unknown): unknown {
    if (typeof v === 'string' && /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$/.test(v)) return v;
    throw `Expected a time (HH:MM[:SS]), got ${describe(v)}.`;
  }
}

/** A duration in milliseconds, stored as an interval. */
export class DurationField<N extends boolean = boolean, O extends boolean = boolean> extends Field<number, N, O> {
  readonly type = 'duration';
  dbType(): string { return 'interval'; }
  protected prepare(v: unknown): unknown {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw `Expected a duration in milliseconds, got ${describe(v)}.`;
    return `${v} milliseconds`;
  }
  protected override parse(v: unknown): number { return parseInterval(String(v)); }
}

/** Postgres' default interval output ("1 day 02:03:04.5", "-00:00:01"); months count as 30 days. */
export function parseInterval(text: string): number {
  let ms = 0;
  const units: Record<string, number> = { year: 365.25 * 864e5, mon: 30 * 864e5, day: 864e5 };
  for (const m of text.matchAll(/(-?\d+) (year|mon|day)s?/g)) ms += Number(m[1]) * (units[m[2] as string] ?? 0);
  const t = /(-)?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(text);
  if (t) {
    const v = (Number(t[2]) * 3600 + Number(t[3]) * 60 + Number(t[4])) * 1000;
    ms += t[1] ? -v : v;
  }
  return Math.round(ms * 1000) / 1000;
}

export class UUIDField<N extends boolean = boolean, O extends boolean = boolean> extends Field<string, N, O> {
  readonly type = 'uuid';
  dbType(): string { return 'uuid'; }
  protected prepare(v: unknown): unknown {
    if (typeof v === 'string' && /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v)) return v.toLowerCase();
    throw `Expected a UUID, got ${describe(v)}.`;
  }
}

export class JSONField<T, N extends boolean = boolean, O extends boolean = boolean> extends Field<T, N, O> {
  readonly type = 'json';
  dbType(): string { return 'jsonb'; }
  // Always serialised here: pg would turn a JS array into a Postgres array, not JSON.
  protected prepare(v: unknown): unknown {
    try {
      return JSON.stringify(v);
    } catch {
      throw 'Value is not JSON-serialisable.';
    }
  }
  // A JSON null is still a value for a json field; only SQL NULL is absent.
  override toDb(value: unknown): unknown { return value === undefined ? null : value === null && this.null ? null : this.prepare(value); }
}

// ---------------------------------------------------------------- files

export interface FileFieldOptions extends FieldOptions<FieldFile | FileContent | string | null> {
  /** Folder (or function of the instance and the file's name) the file is stored under: 'avatars/', 'docs/%Y/'. */
  uploadTo?: string | ((instance: AnyInstance, filename: string) => string);
  /** Where the file goes (default: the site's storage, MEDIA_STORAGE). */
  storage?: Storage | (() => Storage);
  /** Length of the stored name (default 100). */
  maxLength?: number;
}

/**
 * A file stored in a Storage; the column holds its name. Assign an upload (or contentFile(name, bytes)) and save():
 * the file is stored then, under uploadTo with a safe, unique name, and the field holds a FieldFile.
 */
export class FileField<N extends boolean = true, O extends boolean = true> extends Field<FieldFile, N, O> {
  readonly type: string = 'file';
  constructor(options: FileFieldOptions = {}) {
    super({ null: true, blank: true, ...options });
  }
  get maxLength(): number { return (this.options.maxLength as number | undefined) ?? 100; }
  dbType(): string { return `varchar(${this.maxLength})`; }

  get storage(): Storage {
    const s = this.options.storage as Storage | (() => Storage) | undefined;
    return typeof s === 'function' ? s() : s ?? defaultStorage();
  }

  protected prepare(v: unknown): unknown {
    const name = v instanceof FieldFile ? v.name : typeof v === 'string' ? v : isFileContent(v) ? v.name : undefined;
    if (name === undefined) throw `Expected a file (an upload, contentFile() or a stored name), got ${describe(v)}.`;
    if (name.length > this.maxLength) throw `Ensure the file name has at most ${this.maxLength} characters (it has ${name.length}).`;
    return name;
  }

  override toDb(value: unknown): unknown {
    if (isFileContent(value)) throw `${this.modelLabel}.${this.name} holds an upload that is not stored yet; save() stores it.`;
    if (value === '' || value === null || value === undefined) return this.null ? null : '';
    return this.prepare(value);
  }

  protected override parse(v: unknown): FieldFile { return new FieldFile(String(v), () => this.storage); }
  override fromDb(value: unknown): FieldFile | null { return value === null || value === undefined || value === '' ? null : this.parse(value); }

  override validate(value: unknown): ValidationIssue[] {
    if (isFileContent(value)) return this.validateUpload(value);
    return super.validate(value === '' ? null : value);
  }

  /** Checks an upload before it is stored (fullClean): the name's length; ImageField also that it is an image. */
  protected validateUpload(file: FileContent): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    if (file.name.length > this.maxLength) issues.push({ code: 'max_length', message: `Ensure the file name has at most ${this.maxLength} characters (it has ${file.name.length}).` });
    return issues;
  }

  /** The storage name an upload is saved under: uploadTo (strftime-style %Y %m %d filled in) + the file's name. */
  generateName(instance: AnyInstance, filename: string): string {
    const to = this.options.uploadTo as FileFieldOptions['uploadTo'];
    if (typeof to === 'function') return to(instance, filename);
    const now = new Date();
    const folder = (to ?? '').replace(/%Y/g, String(now.getUTCFullYear())).replace(/%m/g, String(now.getUTCMonth() + 1).padStart(2, '0'))
      .replace(/%d/g, String(now.getUTCDate()).padStart(2, '0'));
    return folder ? `${folder.replace(/\/?$/, '/')}${filename}` : filename;
  }

  override async preSave(instance: AnyInstance, _adding: boolean): Promise<void> {
    const self = instance as Record<string, unknown>;
    const value = self[this.attname];
    if (typeof value === 'string' && value !== '') self[this.attname] = this.parse(value);
    if (!isFileContent(value)) return;
    this.beforeStore(instance, value);
    const name = await this.storage.save(this.generateName(instance, value.name || 'file'), value.data);
    self[this.attname] = this.parse(name);
  }

  protected beforeStore(_instance: AnyInstance, _file: FileContent): void {}
}

export interface ImageFieldOptions extends FileFieldOptions {
  /** A field of the model (integer) that gets the image's width when it is stored (Django's width_field). */
  widthField?: string;
  heightField?: string;
}

/** A FileField that accepts only images (PNG, JPEG, GIF, WebP, ... read from the header) and records their size. */
export class ImageField<N extends boolean = true, O extends boolean = true> extends FileField<N, O> {
  override readonly type = 'image';

  protected override validateUpload(file: FileContent): ValidationIssue[] {
    const issues = super.validateUpload(file);
    if (!imageDimensions(file.data)) {
      issues.push({ code: 'invalid_image', message: 'Upload a valid image. The file you uploaded was either not an image or a corrupted image.' });
    }
    return issues;
  }

  protected override beforeStore(instance: AnyInstance, file: FileContent): void {
    const dims = imageDimensions(file.data);
    if (!dims) throw new ValidationError({ [this.name]: 'Upload a valid image. The file you uploaded was either not an image or a corrupted image.' });
    const self = instance as Record<string, unknown>;
    const { widthField, heightField } = this.options as ImageFieldOptions;
    if (widthField) self[widthField] = dims.width;
    if (heightField) self[heightField] = dims.height;
  }
}

// ---------------------------------------------------------------- relations

export interface ForeignKeyOptions extends FieldOptions<unknown> {
  onDelete: OnDelete;
  relatedName?: string;
  /** The target's field this points at (default its primary key). */
  toField?: string;
  dbConstraint?: boolean;
}

export class ForeignKey<TI = AnyInstance, N extends boolean = boolean, O extends boolean = boolean> extends Field<TI, N, O> {
  readonly type: string = 'foreignKey';
  readonly to: ModelRef;
  constructor(to: ModelRef, options: ForeignKeyOptions) {
    super({ ...options, index: options.index ?? true });
    if (!options || !['cascade', 'protect', 'restrict', 'setNull', 'setDefault', 'doNothing'].includes(options.onDelete)) {
      throw new ModelDefinitionError(`A foreign key to ${refName(to)} needs onDelete: 'cascade' | 'protect' | 'restrict' | 'setNull' | 'setDefault' | 'doNothing'.`);
    }
    if (options.onDelete === 'setNull' && !options.null) throw new ModelDefinitionError(`A foreign key to ${refName(to)} with onDelete 'setNull' needs null: true.`);
    this.to = to;
  }
  override get isRelation(): boolean { return true; }
  get onDelete(): OnDelete { return this.options.onDelete as OnDelete; }
  get relatedName(): string | undefined { return this.options.relatedName as string | undefined; }

  override bind(modelLabel: string, name: string): void {
    super.bind(modelLabel, name);
    this.attname = `${name}Id`;
    if (this.options.dbColumn === undefined) this.column = `${snakeCase(name)}_id`;
  }

  /** The target model, resolved from the registry on first use (it may be defined after this one). */
  related(): AnyModelClass { return resolveRef(this.to, this.modelLabel); }
  targetField(): Field {
    const target = this.related();
    const name = this.options.toField as string | undefined;
    return name ? target._meta.field(name) : target._meta.pk;
  }
  dbType(): string {
    const t = this.targetField();
    return t instanceof AutoField ? 'bigint' : t.dbType();
  }
  protected prepare(v: unknown): unknown {
    const t = this.targetField();
    if (typeof v === 'object' && v !== null && '_meta' in (v.constructor as object)) return t.toDb((v as Record<string, unknown>)[t.attname]);
    return t.toDb(v);
  }
  protected override parse(v: unknown): TI { return this.targetField().fromDb(v) as TI; }

  override deconstruct(): FieldSpec {
    const spec = super.deconstruct();
    spec.options.to = this.related()._meta.label;
    spec.options.dbType = this.dbType();
    spec.options.toColumn = this.targetField().column;
    spec.options.toTable = this.related()._meta.table;
    return spec;
  }
}

export class OneToOneField<TI = AnyInstance, N extends boolean = boolean, O extends boolean = boolean> extends ForeignKey<TI, N, O> {
  override readonly type = 'oneToOne';
  constructor(to: ModelRef, options: ForeignKeyOptions) {
    super(to, { ...options, unique: true });
  }
}

export interface ManyToManyOptions {
  relatedName?: string;
  /** A model with foreign keys to both sides; without it a two-column table is created. */
  through?: ModelRef;
  /** The table of the automatic through table (default `<table>_<column>`). */
  dbTable?: string;
  blank?: boolean;
  verboseName?: Translatable;
  helpText?: Translatable;
}

export class ManyToManyField<TI = AnyInstance> extends Field<TI, false, true> {
  readonly type = 'manyToMany';
  readonly to: ModelRef;
  constructor(to: ModelRef, options: ManyToManyOptions = {}) {
    super(options);
    this.to = to;
  }
  override get isRelation(): boolean { return true; }
  override get concrete(): boolean { return false; }
  get relatedName(): string | undefined { return this.options.relatedName as string | undefined; }
  related(): AnyModelClass { return resolveRef(this.to, this.modelLabel); }
  dbType(): string { return ''; }
  protected prepare(): unknown { throw 'Many-to-many values are set through the relation manager (add, remove, set).'; }
  override deconstruct(): FieldSpec {
    const spec = super.deconstruct();
    spec.options.to = this.related()._meta.label;
    if (this.options.through) spec.options.through = resolveRef(this.options.through as ModelRef, this.modelLabel)._meta.label;
    delete spec.options.relatedName;
    return spec;
  }
}

let resolver: ((ref: string, from: string) => AnyModelClass) | null = null;
/** The registry installs its lookup here (fields cannot import it without a cycle). */
export function setModelResolver(fn: (ref: string, from: string) => AnyModelClass): void { resolver = fn; }

export function resolveRef(ref: ModelRef, from: string): AnyModelClass {
  if (typeof ref === 'string') {
    if (!resolver) throw new ModelDefinitionError('The model registry is not loaded.');
    return resolver(ref, from);
  }
  if ('_meta' in ref) return ref as unknown as AnyModelClass;
  return (ref as () => ModelLike)() as unknown as AnyModelClass;
}

function refName(ref: ModelRef): string { return typeof ref === 'string' ? ref : 'a model'; }

// ---------------------------------------------------------------- the factory site code calls

export const fields = {
  auto: () => new AutoField({ primaryKey: true }),
  char: <const Opt extends CharOptions & { maxLength: number }>(opts: Opt) => new CharField<NullOf<Opt>, OptionalOf<Opt>>(opts),
  text: <const Opt extends FieldOptions<string>>(opts?: Opt) => new TextField<NullOf<Opt>, OptionalOf<Opt>>(opts),
  slug: <const Opt extends CharOptions>(opts?: Opt) => new SlugField<NullOf<Opt>, OptionalOf<Opt>>({ index: true, ...opts }),
  email: <const Opt extends CharOptions>(opts?: Opt) => new EmailField<NullOf<Opt>, OptionalOf<Opt>>(opts),
  url: <const Opt extends CharOptions>(opts?: Opt) => new URLField<NullOf<Opt>, OptionalOf<Opt>>(opts),
  integer: <const Opt extends FieldOptions<number>>(opts?: Opt) => new IntegerField<NullOf<Opt>, OptionalOf<Opt>>(opts),
  bigInteger: <const Opt extends FieldOptions<bigint>>(opts?: Opt) => new BigIntegerField<NullOf<Opt>, OptionalOf<Opt>>(opts),
  float: <const Opt extends FieldOptions<number>>(opts?: Opt) => new FloatField<NullOf<Opt>, OptionalOf<Opt>>(opts),
  decimal: <const Opt extends DecimalOptions>(opts: Opt) => new DecimalField<NullOf<Opt>, OptionalOf<Opt>>(opts),
  boolean: <const Opt extends FieldOptions<boolean>>(opts?: Opt) => new BooleanField<NullOf<Opt>, OptionalOf<Opt>>(opts),
  date: <const Opt extends DateTimeOptions<string>>(opts?: Opt) => new DateField<NullOf<Opt>, OptionalOf<Opt>>(opts),
  datetime: <const Opt extends DateTimeOptions<Date>>(opts?: Opt) => new DateTimeField<NullOf<Opt>, OptionalOf<Opt>>(opts),
  time: <const Opt extends FieldOptions<string>>(opts?: Opt) => new TimeField<NullOf<Opt>, OptionalOf<Opt>>(opts),
  duration: <const Opt extends FieldOptions<number>>(opts?: Opt) => new DurationField<NullOf<Opt>, OptionalOf<Opt>>(opts),
  uuid: <const Opt extends FieldOptions<string> & { autoGenerate?: boolean }>(opts?: Opt) => new UUIDField<NullOf<Opt>, OptionalOf<Opt> extends true ? true : Opt extends { autoGenerate: true } ? true : false>(
    opts?.autoGenerate ? { default: randomUUID, ...opts } : opts),
  /** JSON (jsonb). Values are typed JsonValue; for a narrower type cast the field: `fields.json() as JSONField<Settings, false, true>`. */
  json: <const Opt extends FieldOptions<JsonValue>>(opts?: Opt) => new JSONField<JsonValue, NullOf<Opt>, OptionalOf<Opt>>(opts),
  foreignKey: <TI = AnyInstance, const Opt extends ForeignKeyOptions = ForeignKeyOptions>(to: ModelRef, opts: Opt) =>
    new ForeignKey<TI, NullOf<Opt>, OptionalOf<Opt>>(to, opts),
  oneToOne: <TI = AnyInstance, const Opt extends ForeignKeyOptions = ForeignKeyOptions>(to: ModelRef, opts: Opt) =>
    new OneToOneField<TI, NullOf<Opt>, OptionalOf<Opt>>(to, opts),
  manyToMany: <TI = AnyInstance>(to: ModelRef, opts?: ManyToManyOptions) => new ManyToManyField<TI>(to, opts),
  /** A stored file (its name in the column); null when there is none. */
  file: (opts?: FileFieldOptions) => new FileField(opts),
  /** A stored image; widthField / heightField name integer fields that get its dimensions. */
  image: (opts?: ImageFieldOptions) => new ImageField(opts),
};

/** Rebuilds a field from its migration spec (for historical models in data migrations and schema changes). */
export function fieldFromSpec(spec: FieldSpec): Field {
  const o: StoredOptions = { ...spec.options, dbColumn: spec.column };
  switch (spec.type) {
    case 'auto': return new AutoField(o);
    case 'char': return new CharField(o);
    case 'slug': return new SlugField(o);
    case 'email': return new EmailField(o);
    case 'url': return new URLField(o);
    case 'text': return new TextField(o);
    case 'integer': return new IntegerField(o);
    case 'bigInteger': return new BigIntegerField(o);
    case 'float': return new FloatField(o);
    case 'decimal': return new DecimalField(o);
    case 'boolean': return new BooleanField(o);
    case 'date': return new DateField(o);
    case 'datetime': return new DateTimeField(o);
    case 'time': return new TimeField(o);
    case 'duration': return new DurationField(o);
    case 'uuid': return new UUIDField(o);
    case 'json': return new JSONField(o);
    case 'foreignKey': return new ForeignKey(o.to as string, o as unknown as ForeignKeyOptions) as Field;
    case 'oneToOne': return new OneToOneField(o.to as string, o as unknown as ForeignKeyOptions) as Field;
    case 'manyToMany': return new ManyToManyField(o.to as string, o as ManyToManyOptions) as Field;
    case 'file': return new FileField(o as FileFieldOptions) as Field;
    case 'image': return new ImageField(o as FileFieldOptions) as Field;
    default: throw new ModelDefinitionError(`Unknown field type "${spec.type}" in a migration.`);
  }
}
