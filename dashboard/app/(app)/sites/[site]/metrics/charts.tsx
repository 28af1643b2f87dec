'use client';
// One metric over time as a recharts chart: counts per step (requests) as bars, so a few busy
// minutes in an hour read as a few bars on the window's whole time axis, not as a spike; sampled
// values (latency, memory) as an area. The chart is for sighted users; its figure's caption
// (latest, min, max) and the data table beside it carry the same facts in text.
import { useSyncExternalStore } from 'react';
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';

const noChange = () => () => {};

export interface ChartSeries {
  key: 'a' | 'b';
  name: string;
  colour: string;
}

export interface ChartPoint {
  t: string;
  a: number | null;
  b?: number | null;
}

// Times in UTC, as the server renders the tables, so what the chart and the table say agree.
function hhmm(t: string): string {
  return new Date(t).toISOString().slice(11, 16);
}

/** Requests per step as bars: the part of each bar that failed with a 5xx (series b) in red on top. */
function CountBars({ data, series, unit }: { data: ChartPoint[]; series: ChartSeries[]; unit: string }) {
  const [all, failed] = series as [ChartSeries, ChartSeries | undefined];
  const rows = data.map((d) => ({ ...d, rest: d.a === null ? null : Math.max(0, d.a - (d.b ?? 0)) }));
  return (
    <BarChart responsive style={{ width: '100%', height: 220 }} data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }} barCategoryGap="15%" accessibilityLayer={false}>
      <CartesianGrid strokeDasharray="3 3" stroke="#d9dde3" vertical={false} />
      <XAxis dataKey="t" tickFormatter={hhmm} minTickGap={32} tick={{ fontSize: 12, fill: '#5b6470' }} />
      <YAxis width={48} tick={{ fontSize: 12, fill: '#5b6470' }} allowDecimals={false} />
      <Tooltip
        labelFormatter={(t) => `${hhmm(String(t))} UTC`}
        // The lower bar is the requests without a 5xx; the tooltip says the total, as the table does.
        formatter={(v, name, item) => [`${String(name === all.name ? (item.payload as ChartPoint).a : v)} ${unit}`, name]}
      />
      <Legend verticalAlign="top" align="right" height={24} iconType="square" />
      <Bar dataKey="rest" name={all.name} stackId="requests" fill={all.colour} isAnimationActive={false} />
      {failed ? <Bar dataKey="b" name={`of which ${failed.name}`} stackId="requests" fill={failed.colour} isAnimationActive={false} /> : null}
    </BarChart>
  );
}

/**
 * `bars` for counts per step (requests); otherwise an area, with `dots` for sparse series
 * (latency, memory): a lone sample between gaps has no line to draw.
 */
export function MetricChart({ data, series, unit, label, dots = false, bars = false }: { data: ChartPoint[]; series: ChartSeries[]; unit: string; label: string; dots?: boolean; bars?: boolean }) {
  // Drawn in the browser only: recharts' server-rendered markup carries inline style attributes,
  // which the dashboard's Content-Security-Policy refuses; styles that scripts set are allowed.
  const inBrowser = useSyncExternalStore(noChange, () => true, () => false);
  if (!inBrowser) return <div className="chart" aria-hidden="true" data-testid={`chart-${label}`} />;
  if (bars) return <div className="chart" aria-hidden="true" data-testid={`chart-${label}`}><CountBars data={data} series={series} unit={unit} /></div>;
  return (
    <div className="chart" aria-hidden="true" data-testid={`chart-${label}`}>
      <AreaChart responsive style={{ width: '100%', height: 200 }} data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" stroke="#d9dde3" vertical={false} />
        <XAxis dataKey="t" tickFormatter={hhmm} minTickGap={32} tick={{ fontSize: 12, fill: '#5b6470' }} />
        <YAxis width={48} tick={{ fontSize: 12, fill: '#5b6470' }} allowDecimals={unit !== 'req/min'} />
        <Tooltip labelFormatter={(t) => `${hhmm(String(t))} UTC`} formatter={(v) => (v === null || v === undefined ? 'no data' : `${String(v)} ${unit}`)} />
        {series.map((s) => (
          // Sampled values are a line through their samples: filled down to zero, a few samples at
          // the end of the window would read as a block rising there.
          <Area key={s.key} type="monotone" dataKey={s.key} name={s.name} stroke={s.colour} fill={s.colour} fillOpacity={dots ? 0 : 0.15} strokeWidth={2} isAnimationActive={false} connectNulls={false} dot={dots ? { r: 2.5, fill: s.colour, fillOpacity: 1 } : false} />
        ))}
      </AreaChart>
    </div>
  );
}
