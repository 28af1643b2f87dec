// A site's metrics: requests per minute, p95 latency and memory over the last hour, 6 hours or day.
// Data is read on the server; each chart comes with a text summary and a data table, and the page
// re-reads itself every 30 s (the newest step is still filling).
import type { Metadata } from 'next';
import type { Route } from 'next';
import Link from 'next/link';
import { latency, memory, perMinute, siteMetrics, summarise, windowOf, WINDOWS, type MetricsWindow, type SeriesPoint, type SiteMetrics, type Summary } from '@/lib/metrics';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { AutoRefresh } from '@/app/ui/auto-refresh';
import { SiteCrumbs } from '@/app/ui/breadcrumbs';
import { SiteTabs } from '../site-tabs';
import { MetricChart, type ChartSeries } from './charts';

export async function generateMetadata({ params }: PageProps<'/sites/[site]/metrics'>): Promise<Metadata> {
  return { title: `Metrics · ${decodeURIComponent((await params).site)}` };
}

const windowNames = { '1h': 'last hour', '6h': 'last 6 hours', '24h': 'last 24 hours' } as const;

function fmt(v: number | null, unit: string): string {
  return v === null ? 'no data' : `${v} ${unit}`;
}

function utc(t: string): string {
  return `${new Date(t).toISOString().slice(11, 16)}`;
}

interface Panel {
  id: string;
  title: string;
  unit: string;
  data: SeriesPoint[];
  series: ChartSeries[];
  summary: Summary;
  empty: string;
  dots?: boolean;
  bars?: boolean;
}

function MetricPanel({ p }: { p: Panel }) {
  const hasData = p.series.some((s) => p.data.some((d) => (d[s.key] ?? 0) > 0));
  const summary = `Latest ${fmt(p.summary.latest, p.unit)}, lowest ${fmt(p.summary.min, p.unit)}, highest ${fmt(p.summary.max, p.unit)}.`;
  return (
    <section className="card metric" aria-labelledby={`${p.id}-title`} aria-describedby={hasData ? `${p.id}-summary` : undefined}>
      <h2 id={`${p.id}-title`}>{p.title}</h2>
      {hasData ? (
        <>
          <p id={`${p.id}-summary`} className="muted small" data-testid={`${p.id}-summary`}>{summary}</p>
          <MetricChart data={p.data} series={p.series} unit={p.unit} label={p.id} dots={p.dots ?? false} bars={p.bars ?? false} />
          <details>
            <summary>Data table<span className="sr-only"> of {p.title.toLowerCase()}</span></summary>
            <div className="table-wrap data-table">
              <table className="table">
                <caption className="sr-only">{p.title} per step, times in UTC</caption>
                <thead><tr><th scope="col">Time (UTC)</th>{p.series.map((s) => <th scope="col" key={s.key}>{s.name}</th>)}</tr></thead>
                <tbody>{p.data.map((d) => <tr key={d.t}><th scope="row">{utc(d.t)}</th>{p.series.map((s) => <td key={s.key}>{d[s.key] ?? '—'}</td>)}</tr>)}</tbody>
              </table>
            </div>
          </details>
        </>
      ) : <p className="empty muted">{p.empty}</p>}
    </section>
  );
}

function Charts({ m, window }: { m: SiteMetrics; window: MetricsWindow }) {
  const traffic = perMinute(m);
  const mem = memory(m);
  const totalRequests = m.points.reduce((n, p) => n + p.requests, 0);
  if (totalRequests === 0 && m.points.every((p) => p.memoryBytes === null)) {
    return (
      <section className="card empty" aria-labelledby="no-traffic-title">
        <AutoRefresh everyMs={30_000} />
        <h2 id="no-traffic-title">No traffic yet</h2>
        <p>Charts appear once the site has served requests. Push your code with <code>paddock push</code>, then open the site&apos;s address.</p>
      </section>
    );
  }
  const panels: Panel[] = [
    {
      id: 'requests', title: 'Requests per minute', unit: 'req/min', data: traffic,
      series: [{ key: 'a', name: 'Requests', colour: '#2458d6' }, { key: 'b', name: '5xx errors', colour: '#b3261e' }],
      summary: summarise(traffic.map((d) => d.a)), empty: `No requests in the ${windowNames[window]}.`, bars: true,
    },
    {
      id: 'latency', title: 'Latency (95th percentile)', unit: 'ms', data: latency(m),
      series: [{ key: 'a', name: 'p95', colour: '#a35d00' }],
      summary: summarise(m.points.map((p) => p.p95Ms)), empty: `No requests, so no latency, in the ${windowNames[window]}.`, dots: true,
    },
    {
      id: 'memory', title: 'Memory', unit: 'MiB', data: mem,
      series: [{ key: 'a', name: 'Memory', colour: '#1f7a3d' }],
      summary: summarise(mem.map((d) => d.a)), empty: `No memory samples in the ${windowNames[window]} yet: they are taken every few seconds while the site runs.`, dots: true,
    },
  ];
  return (
    <>
      <AutoRefresh everyMs={30_000} />
      <p className="muted small" data-testid="metrics-total">{totalRequests} requests in the {windowNames[window]}, in steps of {m.stepSeconds / 60} min (times in UTC).</p>
      <div className="metrics">{panels.map((p) => <MetricPanel key={p.id} p={p} />)}</div>
    </>
  );
}

export default async function MetricsPage({ params, searchParams }: PageProps<'/sites/[site]/metrics'>) {
  const name = decodeURIComponent((await params).site);
  const window = windowOf((await searchParams).window);
  const result = await load((v) => siteMetrics(v.token, name, window));
  const base = `/sites/${encodeURIComponent(name)}/metrics`;
  return (
    <div className="stack">
      <SiteCrumbs site={name} />
      <h1>Metrics</h1>
      <SiteTabs site={name} />
      {result.ok ? <nav aria-label="Time window" className="chips">
        {WINDOWS.map((w) => (
          <Link key={w} href={`${base}?window=${w}` as Route} aria-current={w === window ? 'page' : undefined}>{windowNames[w]}</Link>
        ))}
      </nav> : null}
      {!result.ok ? <ProblemPanel problem={result.problem} /> : <Charts m={result.data} window={window} />}
    </div>
  );
}
