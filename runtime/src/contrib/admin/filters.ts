// The change list's filters and date hierarchy. Only the parameters of declared filters are read from the query string
// (arbitrary lookups such as ?password__startswith= would be an oracle on data the list does not show), and every value
// is checked before it reaches a query. Dates are the current time zone's: "Today" is the visitor's today.
import { Http404 } from '../../errors.js';
import { ForeignKey, type Field as DbField, type Filter, type QuerySet, type AnyInstance } from '../../db/index.js';
import { formatDate } from '../../i18n/formats.js';
import { gettext } from '../../i18n/translation.js';
import { getCurrentTimezone } from '../../timezone/timezone.js';
import type { ModelAdmin } from './options.js';

export interface FilterChoice { label: string; url: string; selected: boolean }
export interface RangeForm { from_name: string; from_value: string; to_name: string; to_value: string; hidden: Array<{ name: string; value: string }> }
export interface RenderedFilter { title: string; name: string; choices: FilterChoice[]; range: RangeForm | null }
export interface Hierarchy { back: { label: string; url: string } | null; choices: Array<{ label: string; url: string }> }

/** The query-string state of a change list: search, order, filters. */
export type ListState = Record<string, string | undefined>;

export function qs(params: ListState): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, v);
  // Never empty: an empty href would keep the current query string.
  return `?${p.toString()}`;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isDate(field: DbField): boolean {
  return field.type === 'date' || field.type === 'datetime';
}

function parseDay(v: string): Date | null {
  if (!DATE.test(v)) return null;
  const d = new Date(`${v}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v ? null : d;
}

function day(d: Date, plusDays = 0): string {
  return new Date(d.getTime() + plusDays * 86_400_000).toISOString().slice(0, 10);
}

/** Today's date in the current time zone, as a UTC midnight. */
function today(): Date {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: getCurrentTimezone(), year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  return new Date(`${parts}T00:00:00Z`);
}

/** The query-string names one filter reads. */
function paramsOf(field: DbField, name: string): string[] {
  if (isDate(field)) return [`${name}__gte`, `${name}__lt`, `${name}__lte`, `${name}__isnull`];
  if (field instanceof ForeignKey) return [name, `${name}__isnull`];
  return [name];
}

function hierarchyParams(name: string): string[] {
  return [`${name}__year`, `${name}__month`, `${name}__day`];
}

/** Every query-string name the change list reads for filtering. */
export function filterParams(ma: ModelAdmin): string[] {
  const meta = ma.model._meta;
  return [...ma.listFilter.flatMap((n) => paramsOf(meta.field(n), n)), ...(ma.dateHierarchy ? hierarchyParams(ma.dateHierarchy) : [])];
}

function bad(): never {
  throw new Http404('Bad filter value.');
}

function keyValue(field: DbField, v: string): unknown {
  const type = field instanceof ForeignKey ? field.related()._meta.pk.type : field.type;
  if (['auto', 'integer', 'bigInteger'].includes(type)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : bad();
  }
  return v;
}

/** The lookups of the active filters, and the active values (for links that keep them). */
export function readFilters(ma: ModelAdmin, query: URLSearchParams): { lookups: Filter[]; active: Record<string, string> } {
  const meta = ma.model._meta;
  const lookups: Filter[] = [];
  const active: Record<string, string> = {};
  const get = (p: string) => {
    const v = query.get(p);
    if (v === null || v === '') return null;
    active[p] = v;
    return v;
  };
  for (const name of ma.listFilter) {
    const field = meta.field(name);
    if (isDate(field)) {
      // Through the `date` transform, a datetime is compared as the current time zone's calendar day.
      const path = field.type === 'datetime' ? `${name}__date` : name;
      for (const op of ['gte', 'lt', 'lte'] as const) {
        const v = get(`${name}__${op}`);
        if (v !== null) lookups.push({ [`${path}__${op}`]: parseDay(v) ? v : bad() } as Filter);
      }
    } else if (field.type === 'boolean') {
      const v = get(name);
      if (v !== null) lookups.push({ [name]: v === '1' || v === 'true' } as Filter);
      continue;
    } else {
      const v = get(name);
      if (v !== null) lookups.push({ [field instanceof ForeignKey ? field.attname : name]: keyValue(field, v) } as Filter);
    }
    const isNull = get(`${name}__isnull`);
    if (isNull !== null) lookups.push({ [`${name}__isnull`]: isNull === '1' } as Filter);
  }
  if (ma.dateHierarchy) {
    const h = ma.dateHierarchy;
    const ranges = { year: [1, 9999], month: [1, 12], day: [1, 31] } as const;
    for (const part of ['year', 'month', 'day'] as const) {
      const v = get(`${h}__${part}`);
      if (v === null) break;
      const n = Number(v);
      if (!Number.isInteger(n) || n < ranges[part][0] || n > ranges[part][1]) bad();
      lookups.push({ [`${h}__${part}`]: n } as Filter);
    }
  }
  return { lookups, active };
}

/** The side filters: each with its choices (links), and for dates a from–to form. */
export async function renderFilters(ma: ModelAdmin, state: ListState, active: Record<string, string>, labelOf: (o: AnyInstance) => string): Promise<RenderedFilter[]> {
  const meta = ma.model._meta;
  const out: RenderedFilter[] = [];
  for (const name of ma.listFilter) {
    const field = meta.field(name);
    const own = paramsOf(field, name);
    const base: ListState = { ...state, p: undefined };
    for (const p of own) base[p] = undefined;
    const choice = (label: string, set: Record<string, string>) => ({
      label,
      url: qs({ ...base, ...set }),
      selected: own.every((p) => (active[p] ?? '') === (set[p] ?? '')),
    });
    const choices: FilterChoice[] = [choice(isDate(field) ? gettext('Any date') : gettext('All'), {})];
    let range: RangeForm | null = null;
    if (isDate(field)) {
      const t = today();
      const month = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1));
      const nextMonth = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1));
      const presets: Array<[string, Date, Date]> = [
        [gettext('Today'), t, new Date(t.getTime() + 86_400_000)],
        [gettext('Past 7 days'), new Date(t.getTime() - 6 * 86_400_000), new Date(t.getTime() + 86_400_000)],
        [gettext('This month'), month, nextMonth],
        [gettext('This year'), new Date(Date.UTC(t.getUTCFullYear(), 0, 1)), new Date(Date.UTC(t.getUTCFullYear() + 1, 0, 1))],
      ];
      for (const [label, from, to] of presets) choices.push(choice(label, { [`${name}__gte`]: day(from), [`${name}__lt`]: day(to) }));
      if (field.null) {
        choices.push(choice(gettext('No date'), { [`${name}__isnull`]: '1' }), choice(gettext('Has date'), { [`${name}__isnull`]: '0' }));
      }
      range = {
        from_name: `${name}__gte`, from_value: active[`${name}__gte`] ?? '',
        to_name: `${name}__lte`, to_value: active[`${name}__lte`] ?? '',
        hidden: Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '').map(([k, v]) => ({ name: k, value: v })),
      };
    } else if (field.type === 'boolean') {
      choices.push(choice(gettext('Yes'), { [name]: '1' }), choice(gettext('No'), { [name]: '0' }));
    } else if (Array.isArray(field.options.choices)) {
      for (const c of field.options.choices as unknown[]) {
        const [v, l] = Array.isArray(c) ? [String(c[0]), String(c[1])] : [String(c), String(c)];
        choices.push(choice(l, { [name]: v }));
      }
    } else if (field instanceof ForeignKey) {
      for (const o of await field.related().objects.all().limit(100)) choices.push(choice(labelOf(o), { [name]: String(o.pk) }));
      if (field.null) choices.push(choice(gettext('None'), { [`${name}__isnull`]: '1' }));
    }
    out.push({ title: String(field.options.verboseName ?? humanise(name)), name, choices, range });
  }
  return out;
}

/**
 * The date hierarchy's links for the list filtered so far: years, or the months of the chosen year, or its days.
 * The distinct values come from the database through the year / month / day transforms (in the current time zone).
 */
export async function renderHierarchy(ma: ModelAdmin, list: QuerySet<AnyInstance>, state: ListState, active: Record<string, string>): Promise<Hierarchy | null> {
  const h = ma.dateHierarchy;
  if (!h) return null;
  const [yp, mp, dp] = hierarchyParams(h) as [string, string, string];
  const base: ListState = { ...state, p: undefined, [yp]: undefined, [mp]: undefined, [dp]: undefined };
  const year = active[yp];
  const month = year ? active[mp] : undefined;
  const distinct = async (part: string) => ((await list.orderBy().valuesList(`${h}__${part}`, { flat: true }).distinct()) as unknown[])
    .filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  if (!year) {
    return { back: null, choices: (await distinct('year')).map((y) => ({ label: String(y), url: qs({ ...base, [yp]: String(y) }) })) };
  }
  if (!month) {
    const names = (m: number) => formatDate(new Date(Date.UTC(Number(year), m - 1, 15)), { month: 'long', year: 'numeric', timeZone: 'UTC' });
    return {
      back: { label: gettext('‹ All dates'), url: qs(base) },
      choices: (await distinct('month')).map((m) => ({ label: names(m), url: qs({ ...base, [yp]: year, [mp]: String(m) }) })),
    };
  }
  const label = (d: number) => formatDate(new Date(Date.UTC(Number(year), Number(month) - 1, d, 12)), { month: 'long', day: 'numeric', timeZone: 'UTC' });
  return {
    back: { label: `‹ ${year}`, url: qs({ ...base, [yp]: year }) },
    choices: (await distinct('day')).map((d) => ({ label: label(d), url: qs({ ...base, [yp]: year, [mp]: month, [dp]: String(d) }) })),
  };
}

export function humanise(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
}
