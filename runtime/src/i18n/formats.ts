// Locale-aware formatting of dates and numbers through Intl, in the active language and time zone: what the
// templates' date and number filters, the admin and the forms print.
import { checkTimezone, getCurrentTimezone, isoInZone, toLocalInput } from '../timezone/timezone.js';
import { intlLocale } from './languages.js';
import { getLanguage } from './translation.js';

/** An instant paired with the zone to show it in (what the localtime, utc and timezone filters give the date filter). */
export class ZonedDate {
  constructor(readonly date: Date, readonly timeZone: string) {}
  toString(): string { return isoInZone(this.date, this.timeZone); }
  toJSON(): string { return this.date.toISOString(); }
}

export type DateStyle = 'full' | 'long' | 'medium' | 'short';

/**
 * How to print a date: 'iso' (UTC, machine-readable, for <time datetime>), 'date' (YYYY-MM-DD in the zone), 'time'
 * (a short time), 'datetime' (a medium date and a short time), an Intl dateStyle ('full', 'long', 'medium',
 * 'short'), or Intl.DateTimeFormat options.
 */
export type DateFormat = 'iso' | 'date' | 'time' | 'datetime' | DateStyle | Intl.DateTimeFormatOptions;

const STYLES = new Set(['full', 'long', 'medium', 'short']);
const formatters = new Map<string, Intl.DateTimeFormat>();

function dateFormatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, f);
  }
  return f;
}

/** A Date, a ZonedDate, or an ISO string or epoch milliseconds as a Date; null for anything else or an invalid date. */
export function toDate(value: unknown): { date: Date; zone: string | null } | null {
  if (value instanceof ZonedDate) return { date: value.date, zone: value.timeZone };
  const date = value instanceof Date ? value : typeof value === 'string' && value !== '' || typeof value === 'number' ? new Date(value) : null;
  return date && !Number.isNaN(date.getTime()) ? { date, zone: null } : null;
}

/**
 * `value` formatted for people in the active language and time zone (a ZonedDate keeps its own zone); '' for
 * something that is not a date. `timeStyle` adds the time to a dateStyle: formatDate(d, 'long', 'short').
 */
export function formatDate(value: unknown, format: DateFormat = 'iso', timeStyle?: DateStyle, language?: string): string {
  const d = toDate(value);
  if (!d) return '';
  const zone = d.zone ?? getCurrentTimezone();
  if (format === 'iso') return d.date.toISOString();
  if (format === 'date') return toLocalInput(d.date, zone).slice(0, 10);
  const locale = intlLocale(language ?? getLanguage()) ?? 'en-US';
  if (typeof format === 'string') {
    // A named format: its formatter is looked up by name, without building and serialising options on every call
    // (a list page formats a date per row).
    // Unknown names print as 'medium' and share its formatter, so the map stays as small as the set of names.
    const name = format === 'time' || format === 'datetime' || STYLES.has(format) ? format : 'medium';
    const time = timeStyle && STYLES.has(timeStyle) && STYLES.has(name) ? timeStyle : undefined;
    const key = `${locale}|${name}|${time ?? ''}|${zone}`;
    let named = namedFormatters.get(key);
    if (!named) namedFormatters.set(key, (named = { format: dateFormatter(locale, dateOptions(name, time, zone)), printed: new Map() }));
    // The same instants come back on every render of a page (a list's rows): Intl's format is the costly part.
    const ms = d.date.getTime();
    let text = named.printed.get(ms);
    if (text === undefined) {
      if (named.printed.size >= PRINTED_PER_FORMAT) named.printed.clear();
      named.printed.set(ms, (text = named.format.format(d.date)));
    }
    return text;
  }
  return dateFormatter(locale, dateOptions(format, timeStyle, zone)).format(d.date);
}

/** A named format's formatter, and the instants it printed lately (at most PRINTED_PER_FORMAT). */
const namedFormatters = new Map<string, { format: Intl.DateTimeFormat; printed: Map<number, string> }>();
const PRINTED_PER_FORMAT = 1000;

function dateOptions(format: Exclude<DateFormat, 'iso' | 'date'>, timeStyle: DateStyle | undefined, zone: string): Intl.DateTimeFormatOptions {
  let options: Intl.DateTimeFormatOptions;
  if (typeof format === 'object' && format !== null) options = { ...format };
  else if (format === 'time') options = { timeStyle: 'short' };
  else if (format === 'datetime') options = { dateStyle: 'medium', timeStyle: 'short' };
  else if (STYLES.has(format)) options = { dateStyle: format, ...(timeStyle && STYLES.has(timeStyle) ? { timeStyle } : {}) };
  else options = { dateStyle: 'medium' };
  options.timeZone = options.timeZone ? checkTimezone(options.timeZone, 'The date format\'s timeZone') : zone;
  return options;
}

const numberFormatters = new Map<string, Intl.NumberFormat>();

/**
 * A number for people in the active language ('1 234,5' in French): `digits` fixes the decimals; options are
 * Intl.NumberFormat's (style: 'percent', 'currency' with currency: 'EUR', ...). '' for something that is not a number.
 */
export function formatNumber(value: unknown, digits?: number, options: Intl.NumberFormatOptions = {}, language?: string): string {
  const n = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value)
    : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) return '';
  const locale = intlLocale(language ?? getLanguage()) ?? 'en-US';
  const opts: Intl.NumberFormatOptions = { ...options };
  if (digits !== undefined && Number.isInteger(digits) && digits >= 0 && digits <= 20) {
    opts.minimumFractionDigits = digits;
    opts.maximumFractionDigits = digits;
  }
  const key = `${locale}|${JSON.stringify(opts)}`;
  let f = numberFormatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, opts);
    numberFormatters.set(key, f);
  }
  return f.format(n);
}
