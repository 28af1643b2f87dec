// A site's overview — where it answers, status, size — and, by role, its controls: scale,
// suspend / resume, delete.
import type { Metadata } from 'next';
import { getSite } from '@/lib/sites';
import { listReleases } from '@/lib/deploys';
import { listOrgs } from '@/lib/orgs';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { StatusBadge } from '@/app/ui/status';
import { Ago } from '@/app/ui/time';
import { RunStateBadge } from '@/app/ui/run-state';
import { AutoRefresh } from '@/app/ui/auto-refresh';
import { DeleteForm, ScaleForm, SuspendForm } from './controls';
import { Breadcrumbs } from '@/app/ui/breadcrumbs';
import { SiteUrl } from '@/app/ui/site-url';
import { SiteTabs } from './site-tabs';

export async function generateMetadata({ params }: PageProps<'/sites/[site]'>): Promise<Metadata> {
  return { title: decodeURIComponent((await params).site) };
}

const SETTLING = new Set(['provisioning', 'deleting']);
const rank: Record<string, number> = { owner: 3, admin: 2, developer: 1, viewer: 0 };

export default async function SitePage({ params }: PageProps<'/sites/[site]'>) {
  const name = decodeURIComponent((await params).site);
  const result = await load(async (v) => {
    // All at once: the user's organisations carry both their role and the plan's quotas; releases
    // are the deploy pipeline's and the page stands without them.
    const [site, orgs, releases] = await Promise.all([getSite(v.token, name), listOrgs(v.token), listReleases(v.token, name).catch(() => [])]);
    const org = orgs.find((o) => o.name === site.org);
    return { site, org, role: org?.role ?? 'viewer', live: releases.find((r) => r.current) };
  });
  if (!result.ok) {
    return (
      <div className="stack">
        <Breadcrumbs trail={[{ href: '/sites', label: 'Sites' }]} />
        <h1>{name}</h1>
        <ProblemPanel problem={result.problem} />
      </div>
    );
  }
  const { site, org, role, live } = result.data;
  const can = (needed: string) => (rank[role] ?? 0) >= (rank[needed] ?? 9);
  return (
    <div className="stack">
      <Breadcrumbs trail={[{ href: '/sites', label: 'Sites' }]} />
      <div className="page-head">
        <h1>{site.name}</h1>
        <StatusBadge status={site.status} />
      </div>
      <SiteTabs site={site.name} />
      {SETTLING.has(site.status) ? (
        <p className="notice" role="status">
          This site is {site.status}; this page refreshes by itself until it settles.
          <AutoRefresh everyMs={1500} />
        </p>
      ) : null}
      {site.status === 'failed' && site.statusReason ? <p className="notice notice-error" role="alert">{site.statusReason}</p> : null}
      <section className="card" aria-labelledby="overview-title">
        <h2 id="overview-title">Overview</h2>
        <dl className="facts">
          <div className="wide"><dt>URL</dt><dd><SiteUrl url={site.url} testId="site-url" /></dd></div>
          <div><dt>Status</dt><dd><StatusBadge status={site.status} />{site.statusReason && site.status !== 'failed' ? <span className="muted small"> {site.statusReason}</span> : null}</dd></div>
          <div><dt>Release</dt><dd>{live ? <>v{live.version} <span className="muted small">live since <Ago at={live.liveAt ?? live.createdAt} /></span></> : <span className="muted">nothing deployed yet</span>}</dd></div>
          {'runState' in site ? <div><dt>Awake or sleeping</dt><dd data-testid="run-state"><RunStateBadge state={site.runState} /></dd></div> : null}
          <div><dt>Replicas</dt><dd>{site.replicas} × {site.memoryMb} MB</dd></div>
          <div><dt>Organisation</dt><dd>{site.org}</dd></div>
          <div><dt>Created</dt><dd><Ago at={site.createdAt} /></dd></div>
        </dl>
      </section>
      {site.status === 'ready' && !live ? (
        <section className="card" aria-labelledby="next-title">
          <h2 id="next-title">Deploy your code</h2>
          <p>From your site&apos;s folder:</p>
          <pre className="code">paddock link {site.name}{'\n'}paddock push</pre>
        </section>
      ) : null}
      {/* A suspended site cannot be scaled (the API refuses it): the Suspended card says so. */}
      {can('developer') && site.status === 'ready' ? (
        <section className="card" aria-labelledby="scale-title">
          <h2 id="scale-title">Scale</h2>
          <ScaleForm site={site.name} replicas={site.replicas} memoryMb={site.memoryMb} maxReplicas={org?.quotas?.replicas} maxMemoryMb={org?.quotas?.memoryMb} />
        </section>
      ) : null}
      {can('admin') && (site.status === 'ready' || site.status === 'suspended') ? (
        <section className="card" aria-labelledby="suspend-title">
          <h2 id="suspend-title">{site.status === 'suspended' ? 'Suspended' : 'Suspend'}</h2>
          <SuspendForm site={site.name} suspended={site.status === 'suspended'} />
        </section>
      ) : null}
      {can('admin') && site.status !== 'deleting' ? (
        <section className="card danger-zone" aria-labelledby="delete-title">
          <h2 id="delete-title">Delete</h2>
          <DeleteForm site={site.name} />
        </section>
      ) : null}
    </div>
  );
}
