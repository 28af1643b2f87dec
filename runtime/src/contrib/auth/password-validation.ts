// Password validators (AUTH_PASSWORD_VALIDATORS): minimum length, a shipped list of common passwords, all-numeric,
// and similarity to the user's own fields. validatePassword() runs them all and reports every failure at once.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { ValidationError, type ValidationIssue } from '../../errors.js';
import { gettext, ngettext } from '../../i18n/translation.js';

/** The user fields a validator may compare against; any object with string attributes will do. */
export type UserLike = Record<string, unknown>;

/** A rule for new passwords: the problems it finds, and a help text saying the rule. */
export interface PasswordValidator {
  /** Returns the problems found (empty when the password passes). */
  validate(password: string, user?: UserLike): ValidationIssue[];
  /** One sentence for the form's help text. */
  helpText(): string;
}

/** At least `minLength` characters (default 8). */
export class MinimumLengthValidator implements PasswordValidator {
  constructor(readonly minLength = 8) {}

  validate(password: string): ValidationIssue[] {
    const n = [...password].length;
    if (n >= this.minLength) return [];
    return [{ code: 'password_too_short', params: { min: this.minLength }, message: ngettext(
      'This password is too short. It must contain at least {count} character.',
      'This password is too short. It must contain at least {count} characters.', this.minLength) }];
  }

  helpText(): string {
    return ngettext('Your password must contain at least {count} character.', 'Your password must contain at least {count} characters.', this.minLength);
  }
}

/** Not only digits. */
export class NumericPasswordValidator implements PasswordValidator {
  validate(password: string): ValidationIssue[] {
    return /^\p{Nd}+$/u.test(password) ? [{ code: 'password_entirely_numeric', message: gettext('This password is entirely numeric.') }] : [];
  }

  helpText(): string {
    return gettext('Your password can’t be entirely numeric.');
  }
}

// The 20,000 most common passwords (Royce Williams' list, lowercased, as shipped with Django under its BSD licence).
const LIST_FILE = 'common-passwords.txt.gz';

function defaultListPath(): string {
  const beside = fileURLToPath(new URL(`./${LIST_FILE}`, import.meta.url));
  if (existsSync(beside)) return beside;
  // Built code runs from dist/, which tsc fills with .js only; the package ships src/ too.
  return fileURLToPath(new URL(`../../../src/contrib/auth/${LIST_FILE}`, import.meta.url));
}

let defaultList: Set<string> | undefined;

/** Not one of 20,000 common passwords (or the list given). */
export class CommonPasswordValidator implements PasswordValidator {
  readonly #passwords: Set<string>;

  /** `passwords`: a path to a (gzipped or plain) list, one per line, or the words themselves. */
  constructor(passwords?: string | Iterable<string>) {
    if (passwords === undefined) {
      defaultList ??= CommonPasswordValidator.load(defaultListPath());
      this.#passwords = defaultList;
    } else if (typeof passwords === 'string') {
      this.#passwords = CommonPasswordValidator.load(passwords);
    } else {
      this.#passwords = new Set([...passwords].map((p) => p.trim().toLowerCase()));
    }
  }

  static load(path: string): Set<string> {
    const raw = readFileSync(path);
    const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    return new Set(text.split('\n').map((l) => l.trim()).filter(Boolean));
  }

  get size(): number {
    return this.#passwords.size;
  }

  validate(password: string): ValidationIssue[] {
    return this.#passwords.has(password.toLowerCase().trim())
      ? [{ code: 'password_too_common', message: gettext('This password is too common.') }] : [];
  }

  helpText(): string {
    return gettext('Your password can’t be a commonly used password.');
  }
}

/** difflib's SequenceMatcher.quick_ratio: 2·(shared characters, with multiplicity) / (total length). */
export function quickRatio(a: string, b: string): number {
  const total = a.length + b.length;
  if (total === 0) return 1;
  const avail = new Map<string, number>();
  for (const ch of b) avail.set(ch, (avail.get(ch) ?? 0) + 1);
  let matches = 0;
  for (const ch of a) {
    const n = avail.get(ch) ?? 0;
    if (n > 0) {
      avail.set(ch, n - 1);
      matches++;
    }
  }
  return (2 * matches) / total;
}

/** Not too close to the user's username, names or e-mail. */
export class UserAttributeSimilarityValidator implements PasswordValidator {
  static readonly DEFAULT_ATTRIBUTES = ['username', 'firstName', 'lastName', 'email'];

  constructor(
    readonly userAttributes: readonly string[] = UserAttributeSimilarityValidator.DEFAULT_ATTRIBUTES,
    readonly maxSimilarity = 0.7,
  ) {
    if (maxSimilarity < 0.1) throw new RangeError('maxSimilarity must be at least 0.1: lower values reject almost every password.');
  }

  validate(password: string, user?: UserLike): ValidationIssue[] {
    if (!user) return [];
    const pw = password.toLowerCase();
    for (const attr of this.userAttributes) {
      const value = user[attr];
      if (typeof value !== 'string' || !value) continue;
      const lower = value.toLowerCase();
      // Compare with the whole value and with its words ("jane.doe@example.com" → jane, doe, example, com).
      for (const part of [...lower.split(/[^\p{L}\p{N}_]+/u), lower]) {
        if (!part) continue;
        // A long password that merely contains a short field value is not "similar" (Django's length-ratio rule).
        if (pw.length >= 10 * part.length && part.length < (this.maxSimilarity / 2) * pw.length) continue;
        if (quickRatio(pw, part) >= this.maxSimilarity) {
          return [{ code: 'password_too_similar', message: gettext('The password is too similar to the {field}.', { field: verboseName(attr) }) }];
        }
      }
    }
    return [];
  }

  helpText(): string {
    return gettext('Your password can’t be too similar to your other personal information.');
  }
}

// The user fields the validator compares with by default, named in the visitor's language.
const ATTRIBUTE_NAMES: Record<string, () => string> = {
  username: () => gettext('username'), firstName: () => gettext('first name'), lastName: () => gettext('last name'), email: () => gettext('email address'),
};

function verboseName(attr: string): string {
  return ATTRIBUTE_NAMES[attr]?.() ?? attr.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
}

/** Django's recommended set, in its order. */
export function defaultPasswordValidators(): PasswordValidator[] {
  return [new UserAttributeSimilarityValidator(), new MinimumLengthValidator(), new CommonPasswordValidator(), new NumericPasswordValidator()];
}

/** Throws a ValidationError listing every problem; returns quietly when the password is acceptable. */
export function validatePassword(password: string, user?: UserLike, validators: readonly PasswordValidator[] = defaultPasswordValidators()): void {
  const issues = validators.flatMap((v) => v.validate(password, user));
  if (issues.length) throw new ValidationError(issues);
}

/** What each rule asks for, to show next to a password field. */
export function passwordHelpTexts(validators: readonly PasswordValidator[] = defaultPasswordValidators()): string[] {
  return validators.map((v) => v.helpText());
}
