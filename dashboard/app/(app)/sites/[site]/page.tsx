// A site's overview: where it answers, its status, release, replicas and health.
import type { Metadata } from 'next';
import Link from 'next/link';
import { getSite } from '@/lib/sites';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { StatusBadge } from '@/app/ui/status';
import { Ago } from '@/app/ui/time';
import { AutoRefresh } from '@/app/ui/auto-refresh';

export async function generateMetadata({ params }: PageProps<'/sites/[site]'>): Promise<Metadata> {
  return { title: decodeURIComponent((await params).site) };
}

const SETTLING = new Set(['provisioning', 'deleting']);

export default async function SitePage({ params }: PageProps<'/sites/[site]'>) {
  const name = decodeURIComponent((await params).site);
  const result = await load((v) => getSite(v.token, name));
  return (
    <div className="stack">
      <p className="crumbs"><Link href="/sites">Sites</Link> /</p>
      <div className="page-head">
        <h1>{name}</h1>
        {result.ok ? <StatusBadge status={result.data.status} /> : null}
      </div>
      {!result.ok ? (
        <ProblemPanel problem={result.problem} />
      ) : (
        <>
          {SETTLING.has(result.data.status) ? (
            <p className="notice" role="status">
              This site is {result.data.status}; this page refreshes by itself until it settles.
              <AutoRefresh everyMs={1500} />
            </p>
          ) : null}
          <section className="card" aria-labelledby="overview-title">
            <h2 id="overview-title">Overview</h2>
            <dl className="facts">
              <div><dt>URL</dt><dd>{result.data.url ? <a href={result.data.url}>{result.data.url}</a> : <span className="muted">not yet</span>}</dd></div>
              <div><dt>Status</dt><dd><StatusBadge status={result.data.status} /></dd></div>
              <div><dt>Release</dt><dd>{result.data.release?.version != null ? `v${result.data.release.version}` : <span className="muted">nothing deployed yet</span>}</dd></div>
              <div><dt>Replicas</dt><dd>{result.data.replicas ?? 1}</dd></div>
              <div><dt>Organisation</dt><dd>{result.data.org ?? '—'}</dd></div>
              <div><dt>Created</dt><dd><Ago at={result.data.createdAt} /></dd></div>
            </dl>
          </section>
          {result.data.status === 'ready' && !result.data.release ? (
            <section className="card" aria-labelledby="next-title">
              <h2 id="next-title">Deploy your code</h2>
              <p>From your site&apos;s folder:</p>
              <pre className="code">paddock link {name}{'\n'}paddock push</pre>
            </section>
          ) : null}
        </>
      )}
    </div>
  );
}
