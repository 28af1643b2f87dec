'use client';
// One metric over time as a recharts area chart. The chart is for sighted users; its figure's
// caption (latest, min, max) and the data table beside it carry the same facts in text.
import { useSyncExternalStore } from 'react';
import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';

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

/** `dots` for sparse series (latency, memory): a lone sample between gaps has no line to draw. */
export function MetricChart({ data, series, unit, label, dots = false }: { data: ChartPoint[]; series: ChartSeries[]; unit: string; label: string; dots?: boolean }) {
  // Drawn in the browser only: recharts' server-rendered markup carries inline style attributes,
  // which the dashboard's Content-Security-Policy refuses; styles that scripts set are allowed.
  const inBrowser = useSyncExternalStore(noChange, () => true, () => false);
  if (!inBrowser) return <div className="chart" aria-hidden="true" data-testid={`chart-${label}`} />;
  return (
    <div className="chart" aria-hidden="true" data-testid={`chart-${label}`}>
      <AreaChart responsive style={{ width: '100%', height: 200 }} data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" stroke="#d9dde3" vertical={false} />
        <XAxis dataKey="t" tickFormatter={hhmm} minTickGap={32} tick={{ fontSize: 12, fill: '#5b6470' }} />
        <YAxis width={48} tick={{ fontSize: 12, fill: '#5b6470' }} allowDecimals={unit !== 'req/min'} />
        <Tooltip labelFormatter={(t) => `${hhmm(String(t))} UTC`} formatter={(v) => (v === null || v === undefined ? 'no data' : `${String(v)} ${unit}`)} />
        {series.map((s) => (
          <Area key={s.key} type="monotone" dataKey={s.key} name={s.name} stroke={s.colour} fill={s.colour} fillOpacity={0.15} strokeWidth={2} isAnimationActive={false} connectNulls={false} dot={dots ? { r: 2, fill: s.colour } : false} />
        ))}
      </AreaChart>
    </div>
  );
}
