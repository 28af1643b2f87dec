// How the admin prints a value it does not edit (list cells, read-only fields): choices by their label, booleans as
// marks, dates in the reader's language and time zone, empty values as a dash; text is always escaped, and a method or
// getter of the model's class is called on the object (Django's list_display / readonly_fields callables).
import type { AnyInstance, AnyModelClass } from '../../db/index.js';
import { attrs, escapeHtml, isSafe, markSafe, type SafeHtml } from '../../forms/html.js';
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
  const file = storedFile(value);
  if (file) return markSafe(`<a${attrs({ href: file.url })}>${escapeHtml(file.name)}</a>`);
  return markSafe(escapeHtml(typeof value === 'object' ? JSON.stringify(value) : String(value)));
}

/** A stored file as the models give it (FieldFile): its name and where a browser fetches it. */
function storedFile(value: unknown): { name: string; url: string } | null {
  if (typeof value !== 'object' || value === null) return null;
  const f = value as { name?: unknown; url?: unknown };
  return typeof f.name === 'string' && f.name !== '' && typeof f.url === 'string' ? { name: f.name, url: f.url } : null;
}

/**
 * What a file or image field of a saved object holds, shown beside its upload input (a file input cannot be
 * pre-filled): a link to the current file, and a thumbnail for an image. Empty when there is no file.
 */
export function currentFile(model: AnyModelClass, obj: AnyInstance | null, name: string): SafeHtml {
  const field = model._meta.maybeField(name);
  if (!obj || !field || (field.type !== 'file' && field.type !== 'image')) return markSafe('');
  const file = storedFile((obj as unknown as Record<string, unknown>)[name]);
  if (!file) return markSafe('');
  const thumb = field.type === 'image' ? `<img${attrs({ src: file.url, alt: '', class: 'thumbnail', loading: 'lazy' })}>` : '';
  return markSafe(`<p class="current-file">${escapeHtml(gettext('Currently:'))} <a${attrs({ href: file.url })}>${thumb}${escapeHtml(file.name)}</a></p>`);
}
