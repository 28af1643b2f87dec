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

/**
 * Turns a failed API call into form state. Validation errors name the field when the API says
 * which one (`/body/email` style paths or a `field` detail); everything else becomes the message.
 */
export function failure(e: unknown, values: Record<string, string>): FormState {
  if (e instanceof ApiError) {
    const fieldErrors: Record<string, string> = {};
    const d = e.details;
    const items = Array.isArray(d) ? d : d && typeof d === 'object' ? [d] : [];
    for (const item of items) {
      if (!item || typeof item !== 'object') continue;
      const rec = item as Record<string, unknown>;
      const path = typeof rec.field === 'string' ? rec.field : typeof rec.instancePath === 'string' ? rec.instancePath : typeof rec.path === 'string' ? rec.path : '';
      const name = path.split('/').filter(Boolean).pop();
      const msg = typeof rec.message === 'string' ? rec.message : e.message;
      if (name) fieldErrors[name] = msg;
    }
    return { status: 'error', message: e.message, fieldErrors, values };
  }
  if (e instanceof DashboardError) return { status: 'error', message: e.message, values };
  throw e;
}
