// What the admin writes in LogEntry.changeMessage and how the History page reads it back. As in Django, the message
// is JSON naming what happened (the parent's changed fields, inline rows added, changed or deleted, an action run),
// stored in no language and worded in the reader's; messages written as plain English by older versions still show.
import { gettext, gettextNoop } from '../../i18n/translation.js';

/** One part of a change: the object's own fields, or one related row (name: its model's verbose name). */
export type ChangePart =
  | { added: { name?: string; object?: string } }
  | { changed: { name?: string; object?: string; fields: string[] } }
  | { deleted: { name?: string; object?: string } }
  | { action: { name: string; description: string } };

export function encodeChange(parts: ChangePart[]): string {
  return JSON.stringify(parts);
}

// Marked for the catalogues: older entries stored these English texts.
const LEGACY = [gettextNoop('Added.'), gettextNoop('Deleted.'), gettextNoop('No fields changed.')];

function list(items: string[]): string {
  if (items.length < 2) return items.join('');
  return gettext('{items} and {last}', { items: items.slice(0, -1).join(', '), last: items.at(-1) as string });
}

function part(p: ChangePart): string {
  if ('added' in p) {
    return p.added.name ? gettext('Added {name} “{object}”.', { name: p.added.name, object: p.added.object ?? '' }) : gettext('Added.');
  }
  if ('changed' in p) {
    const fields = list(p.changed.fields);
    return p.changed.name
      ? gettext('Changed {fields} for {name} “{object}”.', { fields, name: p.changed.name, object: p.changed.object ?? '' })
      : gettext('Changed {fields}.', { fields });
  }
  if ('deleted' in p) {
    return p.deleted.name ? gettext('Deleted {name} “{object}”.', { name: p.deleted.name, object: p.deleted.object ?? '' }) : gettext('Deleted.');
  }
  return gettext('Action: {action}', { action: p.action.description });
}

/** A stored change message in the active language. */
export function describeChange(stored: string): string {
  if (stored.startsWith('[')) {
    try {
      const parts = JSON.parse(stored) as ChangePart[];
      return parts.length ? parts.map(part).join(' ') : gettext('No fields changed.');
    } catch {
      return stored;
    }
  }
  const changed = /^Changed (.+)\.$/.exec(stored);
  if (changed) return gettext('Changed {fields}.', { fields: changed[1] as string });
  const action = /^Action: (.+)$/.exec(stored);
  if (action) return gettext('Action: {action}', { action: action[1] as string });
  return LEGACY.includes(stored) ? gettext(stored) : stored;
}
