// What a server action hands back to its form: a message, errors per field, and what was typed,
// so the form shows the problem next to the field and keeps the user's input.
import { ApiError, DashboardError } from './errors';

export interface FormState {
  status: 'idle' | 'error' | 'success';
  message?: string;
  fieldErrors?: Record<string, string>;
  /** Echoed back into the fields (never secrets such as passwords). */
  values?: Record<string, string>;
  /** Shown once, e.g. a new API token. */
  secret?: string;
}

export const idle: FormState = { status: 'idle' };

/** Text fields of a submitted form, minus secrets and React's internal $ACTION_ fields. */
export function typedValues(form: FormData, secretFields: string[] = ['password', 'passwordConfirm', 'confirm']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form.entries()) {
    if (typeof v === 'string' && !k.startsWith('$ACTION') && !secretFields.includes(k)) out[k] = v;
  }
  return out;
}

export function field(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === 'string' ? v.trim() : '';
}

/** API errors that are about one field of the form that caused them. */
const codeFields: Record<string, string> = {
  PDK_EMAIL_TAKEN: 'email',
  PDK_SITE_NAME_TAKEN: 'name',
  PDK_ORG_NAME_TAKEN: 'name',
  PDK_ALREADY_MEMBER: 'email',
};

/** What a validation error says about its field, as a sentence of its own: "Email is not an email address." */
function fieldProblem(message: string): string {
  const said = message.replace(/^The request is invalid: /, '');
  return said.charAt(0).toUpperCase() + said.slice(1);
}

/**
 * Turns a failed API call into form state: the API's message (it says what to do next), and for
 * validation errors the field it names, so the message shows beside that field.
 */
export function failure(e: unknown, values: Record<string, string>): FormState {
  if (e instanceof ApiError) {
    const byCode = codeFields[e.code];
    const fieldErrors = e.code === 'PDK_VALIDATION' && e.field ? { [e.field]: fieldProblem(e.message) } : byCode ? { [byCode]: e.message } : undefined;
    return { status: 'error', message: e.message, ...(fieldErrors ? { fieldErrors } : {}), values };
  }
  if (e instanceof DashboardError) return { status: 'error', message: e.message, values };
  throw e;
}
