// Every error the runtime raises, declared once with a stable code, an HTTP status and a message that says what to do next.

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

/** One thing wrong with a value, as forms and validators report it. */
export interface ValidationIssue { message: string; code: string }

/**
 * Raised by field cleaning, validators and password checks. Carries every issue found, not just the first,
 * so a form can show them all; `fieldIssues` holds issues that belong to named fields.
 */
export class ValidationError extends PaddockError {
  readonly issues: ValidationIssue[];
  readonly fieldIssues: Record<string, ValidationIssue[]>;
  constructor(issues: string | ValidationIssue | ValidationIssue[] | Record<string, ValidationIssue[]>, code = 'invalid') {
    const list = typeof issues === 'string' ? [{ message: issues, code }]
      : Array.isArray(issues) ? issues
        : 'message' in issues && typeof issues.message === 'string' ? [issues as ValidationIssue] : [];
    const byField = typeof issues === 'object' && !Array.isArray(issues) && !('message' in issues && typeof issues.message === 'string')
      ? issues as Record<string, ValidationIssue[]> : {};
    const all = [...list, ...Object.values(byField).flat()];
    super('PDK_VALIDATION', 400, all.map((i) => i.message).join(' ') || 'The value is not valid.');
    this.name = 'ValidationError';
    this.issues = list;
    this.fieldIssues = byField;
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
