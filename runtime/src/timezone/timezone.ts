// Time zones, as Django with USE_TZ = True: a Date is an instant (stored in UTC by the ORM); the active time zone
// (per request, or TIME_ZONE) only decides how instants are shown to people and how the wall-clock times they type
// are read. Conversions use Intl's time zone data, so daylight saving rules are the IANA database's.
import { ImproperlyConfigured } from '../errors.js';
import { activeSite, localeState, withLocaleScope } from '../i18n/context.js';

const zoneNames = new Map<string, string | null>();

/** The canonical name of an IANA time zone ('europe/paris' → 'Europe/Paris'), or null for an unknown one. */
export function timezoneName(zone: string): string | null {
  let name = zoneNames.get(zone);
  if (name !== undefined) return name;
  try {
    name = typeof zone === 'string' && zone.length <= 64 ? new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone : null;
  } catch {
    name = null;
  }
  zoneNames.set(zone, name);
  return name;
}

/** A zone name from settings or code; ImproperlyConfigured names it when it is not an IANA zone. */
export function checkTimezone(zone: string, where: string): string {
  const name = timezoneName(zone);
  if (!name) throw new ImproperlyConfigured(`${where} '${String(zone)}' is not a time zone. Use an IANA name such as 'UTC', 'Europe/Paris' or 'America/New_York'.`);
  return name;
}

/** The site's TIME_ZONE ('UTC' before a site is loaded). */
export function getDefaultTimezone(): string {
  return activeSite()?.settings.TIME_ZONE ?? 'UTC';
}

/** The zone dates are shown and read in: the one activated for this request (or process), else TIME_ZONE. */
export function getCurrentTimezone(): string {
  return localeState().timezone ?? getDefaultTimezone();
}

/** Makes `zone` the current time zone for the rest of the request (under the middleware) or the process. */
export function activateTimezone(zone: string): void {
  localeState().timezone = checkTimezone(zone, 'activateTimezone():');
}

/** Back to TIME_ZONE. */
export function deactivateTimezone(): void {
  localeState().timezone = null;
}

/** Runs `fn` with `zone` current (null: TIME_ZONE), then restores the zone that was current. */
export function overrideTimezone<T>(zone: string | null, fn: () => T): T {
  return withLocaleScope(fn, { timezone: zone === null ? null : checkTimezone(zone, 'overrideTimezone():') });
}

/** The current instant (Django's timezone.now(): always aware, here simply a Date). */
export function now(): Date {
  return new Date();
}

/** A wall-clock reading: what a clock in some zone shows at an instant. */
export interface WallTime { year: number; month: number; day: number; hour: number; minute: number; second: number; millisecond: number }

const partFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
  let f = partFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    partFormatters.set(zone, f);
  }
  return f;
}

/** What a clock in `zone` (default: the current zone) shows at `date`. */
export function wallTime(date: Date, zone: string = getCurrentTimezone()): WallTime {
  const p: Record<string, number> = {};
  for (const part of partsFormatter(checkTimezone(zone, 'wallTime():')).formatToParts(date)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  // Years before 1 come out as positive era years; such dates are out of this function's use.
  return { year: p.year ?? 0, month: p.month ?? 1, day: p.day ?? 1, hour: p.hour ?? 0, minute: p.minute ?? 0, second: p.second ?? 0, millisecond: date.getUTCMilliseconds() };
}

/** Offset of `zone` from UTC at `date`, in minutes (Paris in winter: 60). */
export function utcOffset(date: Date, zone: string = getCurrentTimezone()): number {
  const w = wallTime(date, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
  return Math.round((asUtc - date.getTime()) / 60_000);
}

/** Why a wall-clock time names no single instant: skipped (clocks went forward) or ambiguous (went back). */
export type WallTimeProblem = 'nonexistent' | 'ambiguous';

/**
 * The instant at which a clock in `zone` shows `wall` (Django's make_aware). Throws a RangeError whose `problem` is
 * 'nonexistent' for a time skipped when clocks go forward, 'ambiguous' for one that happens twice when they go back.
 */
export function fromWallTime(wall: Omit<WallTime, 'millisecond' | 'second'> & Partial<Pick<WallTime, 'second' | 'millisecond'>>, zone: string = getCurrentTimezone()): Date {
  const name = checkTimezone(zone, 'fromWallTime():');
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second ?? 0, wall.millisecond ?? 0);
  // The offsets in force a day either side cover every transition near this time; an instant counts if a clock
  // in the zone really shows `wall` then.
  const offsets = new Set([utcOffset(new Date(asUtc - 86_400_000), name), utcOffset(new Date(asUtc), name), utcOffset(new Date(asUtc + 86_400_000), name)]);
  const hits = [...new Set([...offsets].map((o) => asUtc - o * 60_000))].filter((t) => {
    const w = wallTime(new Date(t), name);
    return w.year === wall.year && w.month === wall.month && w.day === wall.day && w.hour === wall.hour && w.minute === wall.minute;
  });
  if (hits.length === 1) return new Date(hits[0] as number);
  const problem: WallTimeProblem = hits.length === 0 ? 'nonexistent' : 'ambiguous';
  throw Object.assign(new RangeError(`${String(wall.year).padStart(4, '0')}-${pad(wall.month)}-${pad(wall.day)} ${pad(wall.hour)}:${pad(wall.minute)} `
    + (problem === 'nonexistent' ? `does not exist in ${name} (the clocks skip it)` : `happens twice in ${name} (the clocks go back)`)), { problem });
}

function pad(n: number): string { return String(n).padStart(2, '0'); }

/** 'YYYY-MM-DDTHH:MM' of `date` in `zone`: the value of an <input type="datetime-local">. */
export function toLocalInput(date: Date, zone: string = getCurrentTimezone(), seconds = false): string {
  const w = wallTime(date, zone);
  const base = `${String(w.year).padStart(4, '0')}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
  return seconds ? `${base}:${pad(w.second)}` : base;
}

/** The calendar day ('YYYY-MM-DD') at `date` (default now) in `zone` (default the current one): Django's localdate(). */
export function localdate(date: Date = new Date(), zone: string = getCurrentTimezone()): string {
  return toLocalInput(date, zone).slice(0, 10);
}

/** ISO 8601 with the zone's offset ('2026-11-23T10:00:00+01:00'), or with Z in UTC. */
export function isoInZone(date: Date, zone: string = getCurrentTimezone()): string {
  const offset = utcOffset(date, zone);
  if (offset === 0) return `${toLocalInput(date, zone, true)}Z`;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${toLocalInput(date, zone, true)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
