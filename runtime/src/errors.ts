// Every error the runtime raises, declared once with a stable code, an HTTP status and a message that says what to do next:
// the request cycle's, validation's, the ORM's, the batteries' and the commands'. Site code catches them by class.

export class PaddockError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = 'PaddockError';
    this.code = code;
    this.status = status;
  }
}

/** Raised by views (or `get404`) to answer 404 with the site's not-found page. */
export class Http404 extends PaddockError {
  constructor(message = 'No page matches this address.') {
    super('PDK_NOT_FOUND', 404, message);
    this.name = 'Http404';
  }
}

/** Raised by views to answer 403. */
export class PermissionDenied extends PaddockError {
  constructor(message = 'You do not have permission to do this.') {
    super('PDK_PERMISSION_DENIED', 403, message);
    this.name = 'PermissionDenied';
  }
}

/** Raised by views when the request itself is malformed: answers 400. */
export class BadRequest extends PaddockError {
  constructor(message = 'The request could not be understood.') {
    super('PDK_BAD_REQUEST', 400, message);
    this.name = 'BadRequest';
  }
}

export class DisallowedHost extends PaddockError {
  constructor(host: string) {
    super('PDK_DISALLOWED_HOST', 400,
      `Invalid HTTP_HOST header: '${host}'. Add it to ALLOWED_HOSTS (or the ALLOWED_HOSTS env var) if this site should answer it.`);
    this.name = 'DisallowedHost';
  }
}

export class RequestTooLarge extends PaddockError {
  constructor(limit: number) {
    super('PDK_REQUEST_TOO_LARGE', 413,
      `The request body exceeds DATA_UPLOAD_MAX_MEMORY_SIZE (${limit} bytes). Send less data or raise the setting.`);
    this.name = 'RequestTooLarge';
  }
}

export class ImproperlyConfigured extends PaddockError {
  constructor(message: string) {
    super('PDK_IMPROPERLY_CONFIGURED', 500, message);
    this.name = 'ImproperlyConfigured';
  }
}

export class NoReverseMatch extends PaddockError {
  constructor(message: string) {
    super('PDK_NO_REVERSE_MATCH', 500, message);
    this.name = 'NoReverseMatch';
  }
}

export class TemplateDoesNotExist extends PaddockError {
  constructor(name: string, searched: string[]) {
    super('PDK_TEMPLATE_DOES_NOT_EXIST', 500,
      `Template '${name}' was not found. Searched: ${searched.join(', ') || '(no template folders)'}. ` +
      `Put it in <app>/templates/${name} or a folder listed in TEMPLATES.DIRS.`);
    this.name = 'TemplateDoesNotExist';
  }
}

export class SiteNotFound extends PaddockError {
  constructor(dir: string) {
    super('PDK_SITE_NOT_FOUND', 404,
      `No site.ts or site.js in ${dir}. Run the command from a site folder, or start one with \`paddock init\`.`);
    this.name = 'SiteNotFound';
  }
}

export class NotAcceptable extends PaddockError {
  constructor(offered: string[]) {
    super('PDK_NOT_ACCEPTABLE', 406, `This resource is available as: ${offered.join(', ')}. Ask for one of them in the Accept header.`);
    this.name = 'NotAcceptable';
  }
}

/** One thing wrong with a value: what to tell the user, a stable code ('required', 'max_length'), and the values in the message. */
export interface ValidationIssue {
  message: string;
  code: string;
  params?: Readonly<Record<string, unknown>>;
}

/** What a ValidationError is made of: a message, an issue, another ValidationError, or a list of them. */
export type ValidationInput = string | ValidationIssue | ValidationError | readonly (string | ValidationIssue | ValidationError)[];

/** The key of issues that belong to no one field (a form's non-field errors, Django's NON_FIELD_ERRORS). */
export const NON_FIELD_ERRORS = '__all__';

function isIssue(x: unknown): x is ValidationIssue {
  if (typeof x !== 'object' || x === null || Array.isArray(x) || x instanceof ValidationError) return false;
  const o = x as Record<string, unknown>;
  return typeof o.message === 'string' && Object.keys(o).every((k) => k === 'message' || k === 'code' || k === 'params');
}

/** `{name}` placeholders in a message filled from params (unknown names are left as they are). */
function interpolate(message: string, params: Readonly<Record<string, unknown>> | undefined): string {
  if (!params) return message;
  return message.replace(/\{(\w+)\}/g, (whole, k: string) => (k in params ? String(params[k]) : whole));
}

function toIssue(x: string | ValidationIssue, code: string, params?: Readonly<Record<string, unknown>>): ValidationIssue {
  const issue = typeof x === 'string' ? { message: x, code, ...(params ? { params } : {}) } : { ...x, code: x.code ?? code };
  return { ...issue, message: interpolate(issue.message, issue.params) };
}

function collect(input: ValidationInput, into: { issues: ValidationIssue[]; fieldIssues: Record<string, ValidationIssue[]> }): void {
  for (const item of Array.isArray(input) ? input : [input as string | ValidationIssue | ValidationError]) {
    if (item instanceof ValidationError) {
      into.issues.push(...item.issues);
      for (const [field, issues] of Object.entries(item.fieldIssues)) (into.fieldIssues[field] ??= []).push(...issues);
    } else into.issues.push(toIssue(item, 'invalid'));
  }
}

/**
 * The one error for a value that does not fit, raised by form fields and their validators, form hooks, model
 * fullClean() and field checks, password validators and loaddata (Django's ValidationError). It holds a list of
 * issues (`issues`, each with message, code and params) and, in its dict form, issues by field name (`fieldIssues`):
 *
 *   throw new ValidationError('That name is taken.', 'taken');
 *   throw new ValidationError('{value} is reserved.', 'reserved', { value });      // {name} filled from params
 *   throw new ValidationError([issue, otherError]);                                 // list form
 *   throw new ValidationError({ password2: 'The passwords differ.', email: [issue] });   // dict form: per field
 *
 * A form turns one into errors on the field being cleaned (or, in the dict form, on the fields it names); anything
 * else a validator throws is a bug and stays a 500. `code` is the catalogue's PDK_VALIDATION, as on every runtime
 * error; each issue carries its own code.
 */
export class ValidationError extends PaddockError {
  /** Issues not tied to a field by the error itself (a form puts them on the field being cleaned). */
  readonly issues: ValidationIssue[];
  /** Issues by field name (the dict form). */
  readonly fieldIssues: Record<string, ValidationIssue[]>;

  constructor(message: string, code?: string, params?: Readonly<Record<string, unknown>>);
  constructor(issues: ValidationInput | Readonly<Record<string, ValidationInput>>);
  constructor(input: ValidationInput | Readonly<Record<string, ValidationInput>>, code = 'invalid', params?: Readonly<Record<string, unknown>>) {
    const into = { issues: [] as ValidationIssue[], fieldIssues: {} as Record<string, ValidationIssue[]> };
    if (typeof input === 'string') into.issues.push(toIssue(input, code, params));
    else if (Array.isArray(input) || isIssue(input) || input instanceof ValidationError) collect(input as ValidationInput, into);
    else {
      for (const [field, value] of Object.entries(input as Record<string, ValidationInput>)) {
        const inner = { issues: [] as ValidationIssue[], fieldIssues: {} as Record<string, ValidationIssue[]> };
        collect(value, inner);
        const all = [...inner.issues, ...Object.values(inner.fieldIssues).flat()];
        if (all.length) (into.fieldIssues[field] ??= []).push(...all);
      }
    }
    const listed = into.issues.map((i) => i.message);
    const byField = Object.entries(into.fieldIssues).map(([f, issues]) => `${f}: ${issues.map((i) => i.message).join(' ')}`);
    super('PDK_VALIDATION', 400, [...listed, ...byField].join(listed.length && !byField.length ? ' ' : '; ') || 'The value is not valid.');
    this.name = 'ValidationError';
    this.issues = into.issues;
    this.fieldIssues = into.fieldIssues;
  }

  /** Every message, list form and dict form together (Django's `messages`). */
  get messages(): string[] {
    return [...this.issues, ...Object.values(this.fieldIssues).flat()].map((i) => i.message);
  }

  /** Messages by field name; issues of no field are under NON_FIELD_ERRORS (Django's `message_dict`). */
  get errors(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    if (this.issues.length) out[NON_FIELD_ERRORS] = this.issues.map((i) => i.message);
    for (const [field, issues] of Object.entries(this.fieldIssues)) (out[field] ??= []).push(...issues.map((i) => i.message));
    return out;
  }
}

/** A signed value whose signature does not match any of the site's keys: tampered with, or signed elsewhere. */
export class BadSignature extends PaddockError {
  constructor(message = 'The signature does not match. The value was altered or signed with another key.', code = 'PDK_BAD_SIGNATURE') {
    super(code, 400, message);
    this.name = 'BadSignature';
  }
}

/** A timestamped signature that is valid but older than the max age the reader accepts. */
export class SignatureExpired extends BadSignature {
  constructor(ageSeconds: number, maxAgeSeconds: number) {
    super(`The signature is ${Math.floor(ageSeconds)} s old, older than the ${maxAgeSeconds} s allowed. Ask for a new link or token.`,
      'PDK_SIGNATURE_EXPIRED');
    this.name = 'SignatureExpired';
  }
}

/** `incr`/`decr` on a cache key that does not exist (Django's behaviour: counters must be set first). */
export class CacheKeyMissing extends PaddockError {
  constructor(key: string) {
    super('PDK_CACHE_KEY_MISSING', 500, `Cache key '${key}' does not exist. Set it (cache.set or cache.add) before incrementing it.`);
    this.name = 'CacheKeyMissing';
  }
}

/** A cache operation the configured backend cannot do, e.g. clear() on a shared Redis whose ACL denies FLUSHDB and SCAN. */
export class CacheOperationUnsupported extends PaddockError {
  constructor(message: string) {
    super('PDK_CACHE_UNSUPPORTED', 500, message);
    this.name = 'CacheOperationUnsupported';
  }
}

/** A mail header with a line break: refused so that user input cannot inject headers or recipients. */
export class BadHeader extends PaddockError {
  constructor(header: string) {
    super('PDK_BAD_MAIL_HEADER', 400, `The mail header '${header}' contains a line break. Remove newlines from subjects and addresses before sending.`);
    this.name = 'BadHeader';
  }
}

/** A storage file name that would escape the storage root or is otherwise unusable. */
export class SuspiciousFileOperation extends PaddockError {
  constructor(message: string) {
    super('PDK_SUSPICIOUS_FILE_OPERATION', 400, message);
    this.name = 'SuspiciousFileOperation';
  }
}

// ---------------------------------------------------------------- the batteries

/** Too many failed logins for an account or an address (contrib/auth's throttle); `retryAfter` is in seconds. */
export class ThrottledError extends PaddockError {
  readonly retryAfter: number;
  constructor(retryAfter: number) {
    super('PDK_LOGIN_THROTTLED', 429, `Too many failed logins. Try again in ${Math.ceil(retryAfter / 60)} minutes.`);
    this.name = 'ThrottledError';
    this.retryAfter = retryAfter;
  }
}

// ---------------------------------------------------------------- management commands

/**
 * A command (`paddock-runtime <name>`) that cannot do what it was asked: paddock-runtime prints the message and exits 1,
 * or 2 for a mistake in how it was called (`usage: true`: a missing or unknown argument).
 */
export class CommandError extends PaddockError {
  readonly exitCode: number;
  constructor(message: string, options: { usage?: boolean } = {}) {
    super(options.usage ? 'PDK_COMMAND_USAGE' : 'PDK_COMMAND', 400, message);
    this.name = 'CommandError';
    this.exitCode = options.usage ? 2 : 1;
  }
}

// ---------------------------------------------------------------- the ORM

/** A model's `get()` found no row; `Model.DoesNotExist` is a subclass named for the model (views turn it into 404). */
export class ObjectDoesNotExist extends PaddockError {
  constructor(message: string) {
    super('PDK_OBJECT_DOES_NOT_EXIST', 404, message);
    this.name = 'ObjectDoesNotExist';
  }
}

export class MultipleObjectsReturned extends PaddockError {
  constructor(message: string) {
    super('PDK_MULTIPLE_OBJECTS_RETURNED', 500, message);
    this.name = 'MultipleObjectsReturned';
  }
}

/**
 * The database refused a write that breaks a constraint (unique, foreign key, not null, check): SQLSTATE class 23.
 * `sqlState` is Postgres' code (23505 unique, 23503 foreign key, 23502 not null, 23514 check); `constraint` its name.
 */
export class IntegrityError extends PaddockError {
  readonly sqlState: string;
  readonly constraint: string | undefined;
  constructor(message: string, sqlState: string, constraint: string | undefined, cause: unknown) {
    super('PDK_INTEGRITY_ERROR', 409, message);
    this.name = 'IntegrityError';
    this.sqlState = sqlState;
    this.constraint = constraint;
    this.cause = cause;
  }
}

/** A field, lookup, ordering or relation name that the model does not have (hostile names end here, never in SQL). */
export class FieldError extends PaddockError {
  constructor(message: string) {
    super('PDK_ORM_FIELD_ERROR', 500, message);
    this.name = 'FieldError';
  }
}

/** Deleting an object that protected (onDelete: 'protect' or 'restrict') objects still point to. */
export class ProtectedError extends PaddockError {
  readonly protectedObjects: readonly unknown[];
  constructor(message: string, objects: readonly unknown[]) {
    super('PDK_ORM_PROTECTED', 409, message);
    this.name = 'ProtectedError';
    this.protectedObjects = objects;
  }
}

/** Database configuration or usage mistakes: unknown alias, not configured, closed. */
export class DatabaseConfigError extends PaddockError {
  constructor(message: string) {
    super('PDK_DATABASE_CONFIG', 500, message);
    this.name = 'DatabaseConfigError';
  }
}

/**
 * An embedded database folder (`pglite:.paddock/db`) is open in another process that does not share it: opening it
 * a second time would lose writes. `paddock dev` shares its database; other commands hold it only while they run.
 */
export class DatabaseInUse extends PaddockError {
  readonly pid: number;
  constructor(dataDir: string, pid: number, command: string, why?: string) {
    super('PDK_DATABASE_IN_USE', 409,
      `The embedded database ${dataDir} is open in another process (pid ${pid}: ${command})${why ? ` and ${why}` : ''}. `
      + 'Wait for that command to finish or stop it, then run this one again. While `paddock dev` runs, other commands '
      + 'go through it; a plain `serve` keeps the database to itself.');
    this.name = 'DatabaseInUse';
    this.pid = pid;
  }
}

/** A model definition that cannot work (bad name, unresolvable relation, duplicate registration). */
export class ModelDefinitionError extends PaddockError {
  constructor(message: string) {
    super('PDK_MODEL_DEFINITION', 500, message);
    this.name = 'ModelDefinitionError';
  }
}

export class MigrationError extends PaddockError {
  constructor(message: string) {
    super('PDK_MIGRATION', 500, message);
    this.name = 'MigrationError';
  }
}

/** Raised in an atomic() block to roll it back on purpose; atomic() swallows it. */
export class Rollback extends Error {
  constructor() {
    super('Rolled back on purpose.');
    this.name = 'Rollback';
  }
}

// ---------------------------------------------------------------- files

/** A save that would take the site's media storage past its quota (MEDIA_QUOTA_BYTES; on the platform, the plan's). */
export class StorageQuotaExceeded extends PaddockError {
  readonly usedBytes: number;
  readonly quotaBytes: number;
  constructor(usedBytes: number, addBytes: number, quotaBytes: number) {
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    super('PDK_MEDIA_QUOTA', 413,
      `The media storage is full: saving ${mb(addBytes)} would use ${mb(usedBytes + addBytes)} of its ${mb(quotaBytes)} quota. `
      + 'Delete files that are no longer needed, or move the site to a plan with more media space.');
    this.name = 'StorageQuotaExceeded';
    this.usedBytes = usedBytes;
    this.quotaBytes = quotaBytes;
  }
}
