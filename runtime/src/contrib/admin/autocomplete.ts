// Foreign keys picked by searching (autocompleteFields): the form field that accepts any key of the related model
// (checked against the database, not against a list loaded into the page), its <select> holding only the current
// choice, and the JSON search the admin's script (static admin/js/admin.js) calls as the user types.
import { Field } from '../../forms/fields.js';
import { attrs, escapeHtml } from '../../forms/html.js';
import { Select, type RawValue } from '../../forms/widgets.js';
import { gettext, gettextLazy } from '../../i18n/translation.js';
import type { Translatable } from '../../i18n/lazy.js';

/** The <select> of an autocomplete field: the empty choice and the current one; the script fills in search results. */
export class AutocompleteSelect extends Select {
  /** Labels of the keys the page shows, filled in by the admin before rendering. */
  readonly labels = new Map<string, string>();

  constructor(readonly url: string) {
    super({ 'data-autocomplete-url': url, 'data-search-label': gettext('Type to search'), class: 'autocomplete' });
  }

  override render(name: string, value: unknown, extra: Record<string, string | number | boolean | null | undefined>): string {
    const current = value === null || value === undefined ? '' : String(value);
    const options = [`<option${attrs({ value: '', selected: current === '' })}>---------</option>`];
    if (current) options.push(`<option${attrs({ value: current, selected: true })}>${escapeHtml(this.labels.get(current) ?? current)}</option>`);
    return `<select${attrs({ name, ...this.attrs, ...extra })}>${options.join('')}</select>`;
  }
}

/** A foreign key's value as submitted: the key as text ('' for none). Whether it exists is checked by the admin. */
export class AutocompleteField extends Field<string> {
  declare readonly widget: AutocompleteSelect;

  constructor(options: { required: boolean; label?: Translatable; helpText?: Translatable; url: string }) {
    super({ required: options.required, label: options.label, helpText: options.helpText }, new AutocompleteSelect(options.url),
      { invalid_choice: gettextLazy('Select a valid choice. That choice is not one of the available choices.') });
  }

  toValue(raw: RawValue): string {
    const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    return typeof v === 'string' ? v.trim() : '';
  }
}
