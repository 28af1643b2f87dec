// A site's traffic and memory over a time window, from the API's per-site metrics, shaped for the
// metrics tab's charts and for the text summaries that stand in for them.
import 'server-only';
import { api } from './api';

export type { MetricsPoint, MetricsWindow, SiteMetrics } from '@paddock/control-plane/api-types';
import type { MetricsWindow, SiteMetrics } from '@paddock/control-plane/api-types';

export const WINDOWS = ['1h', '6h', '24h'] as const satisfies readonly MetricsWindow[];

/** Anything that is not a known window (a hand-edited URL) shows the default one. */
export function windowOf(value: unknown): MetricsWindow {
  return WINDOWS.find((w) => w === value) ?? '1h';
}

export function siteMetrics(token: string, site: string, window: MetricsWindow): Promise<SiteMetrics> {
  return api<SiteMetrics>(`/v1/sites/${encodeURIComponent(site)}/metrics`, { token, query: { window } });
}

/** One chart's data: a time and up to two values per step (null = no sample in that step). */
export interface SeriesPoint {
  t: string;
  a: number | null;
  b?: number | null;
}

export interface Summary {
  latest: number | null;
  min: number | null;
  max: number | null;
}

export function summarise(values: (number | null | undefined)[]): Summary {
  const present = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (present.length === 0) return { latest: null, min: null, max: null };
  return { latest: present[present.length - 1] ?? null, min: Math.min(...present), max: Math.max(...present) };
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Requests and 5xx errors per minute, whatever the step (a step of 300 s holds five minutes). */
export function perMinute(m: SiteMetrics): SeriesPoint[] {
  const minutes = m.stepSeconds / 60;
  return m.points.map((p) => ({ t: p.t, a: round(p.requests / minutes, 2), b: round(p.errors / minutes, 2) }));
}

export function latency(m: SiteMetrics): SeriesPoint[] {
  return m.points.map((p) => ({ t: p.t, a: p.p95Ms === null ? null : round(p.p95Ms, 1) }));
}

/** Memory in MiB. */
export function memory(m: SiteMetrics): SeriesPoint[] {
  return m.points.map((p) => ({ t: p.t, a: p.memoryBytes === null ? null : round(p.memoryBytes / 1048576, 1) }));
}
