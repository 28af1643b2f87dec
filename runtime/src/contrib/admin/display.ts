// How the admin prints a value it does not edit (list cells, read-only fields): choices by their label, booleans as
// marks, dates in the reader's language and time zone, empty values as a dash; text is always escaped, and a method or
// getter of the model's class is called on the object (Django's list_display / readonly_fields callables).
import type { AnyInstance, AnyModelClass } from '../../db/index.js';
import { escapeHtml, isSafe, markSafe, type SafeHtml } from '../../forms/html.js';
import { formatDate } from '../../i18n/formats.js';
import { gettext } from '../../i18n/translation.js';
import { humanise } from './filters.js';
import type { ComputedValue } from './options.js';

/** The label of a column or read-only value: the field's verbose name, else the name in words. */
export function labelOf(model: AnyModelClass, column: string | ComputedValue): string {
  if (typeof column !== 'string') return String(column.label);
  const field = model._meta.maybeField(column);
  const label = String(field?.options.verboseName ?? humanise(column));
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/** The raw value of a column on an object: a field's value (a choice's label), or a method's result. */
export function valueOf(model: AnyModelClass, obj: AnyInstance, column: string | ComputedValue): unknown {
  if (typeof column !== 'string') return column.value(obj);
  const field = model._meta.maybeField(column);
  const record = obj as unknown as Record<string, unknown>;
  if (!field) {
    const v = record[column];
    return typeof v === 'function' ? (v as () => unknown).call(obj) : v;
  }
  let value = record[field.type === 'foreignKey' ? field.attname : column];
  const choices = field.options.choices as unknown[] | undefined;
  if (Array.isArray(choices)) {
    const hit = choices.find((c) => Array.isArray(c) && c[0] === value) as [unknown, string] | undefined;
    if (hit) value = String(hit[1]);
  }
  return value;
}

export function display(value: unknown): SafeHtml {
  if (isSafe(value)) return value;
  if (value === null || value === undefined || value === '') return markSafe('<span class="muted">—</span>');
  if (typeof value === 'boolean') return markSafe(`<span aria-label="${escapeHtml(value ? gettext('yes') : gettext('no'))}">${value ? '✔' : '✘'}</span>`);
  if (value instanceof Date) return markSafe(escapeHtml(formatDate(value, 'datetime')));
  return markSafe(escapeHtml(typeof value === 'object' ? JSON.stringify(value) : String(value)));
}
