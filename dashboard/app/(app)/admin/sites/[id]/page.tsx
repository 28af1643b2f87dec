// One site as an operator sees it: owner organisation, status, usage against quotas, placement,
// and suspend / resume / delete.
import type { Metadata } from 'next';
import Link from 'next/link';
import { adminSite, adminSiteUsage } from '@/lib/admin';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { StatusBadge } from '@/app/ui/status';
import { Ago } from '@/app/ui/time';
import { Breadcrumbs } from '@/app/ui/breadcrumbs';
import { SiteUrl } from '@/app/ui/site-url';
import { AdminDeleteForm, SuspendButton } from '../../forms';

export const metadata: Metadata = { title: 'Admin · Site' };

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export default async function AdminSitePage({ params }: PageProps<'/admin/sites/[id]'>) {
  const { id } = await params;
  const result = await load(async (v) => {
    const site = await adminSite(v.token, id);
    // Usage asks the tenant database and cache servers; a slow or failing one must not hide the site.
    const usage = await adminSiteUsage(v.token, id).catch(() => undefined);
    return { site, usage };
  });
  const crumbs = <Breadcrumbs trail={[{ href: '/admin', label: 'Admin' }, { href: '/admin/sites', label: 'Sites' }]} />;
  if (!result.ok) return <>{crumbs}<ProblemPanel problem={result.problem} /></>;
  const { site, usage } = result.data;
  return (
    <>
      {crumbs}
      <div className="page-head">
        <h1>{site.name}</h1>
        <StatusBadge status={site.status} />
      </div>
      <section className="card" aria-labelledby="site-title">
        <h2 id="site-title">Site</h2>
        <dl className="facts">
          <div className="wide"><dt>URL</dt><dd><SiteUrl url={site.url} /></dd></div>
          <div><dt>Organisation</dt><dd><Link href={{ pathname: '/admin/orgs', query: { q: site.org } }}>{site.org}</Link></dd></div>
          <div><dt>Status</dt><dd><StatusBadge status={site.status} />{site.statusReason ? <span className="muted small"> {site.statusReason}</span> : null}</dd></div>
          <div><dt>Created</dt><dd><Ago at={site.createdAt} /></dd></div>
        </dl>
      </section>
      <section className="card" aria-labelledby="usage-title">
        <h2 id="usage-title">Usage</h2>
        {!usage ? <p className="muted">Usage is unavailable right now (the tenant servers did not answer).</p> : (
          <>
            {usage.overQuota.length ? <p className="notice notice-error" role="alert">Over quota: {usage.overQuota.join(', ')}</p> : null}
            <dl className="facts">
              <div><dt>Replicas</dt><dd>{usage.replicas} of {usage.quotas.replicas}</dd></div>
              <div><dt>Memory per replica</dt><dd>{usage.memoryMb} of {usage.quotas.memoryMb} MB</dd></div>
              <div><dt>Database</dt><dd>{mb(usage.databaseBytes)} of {usage.quotas.databaseMb} MB</dd></div>
              <div><dt>Database connections</dt><dd>{usage.databaseConnections}</dd></div>
              <div><dt>Cache keys</dt><dd>{usage.cacheKeys}</dd></div>
              {Object.entries(usage.placement).map(([kind, server]) => <div key={kind}><dt>{kind} server</dt><dd><code>{server}</code></dd></div>)}
            </dl>
          </>
        )}
      </section>
      {site.status === 'ready' || site.status === 'suspended' ? (
        <section className="card" aria-labelledby="susp-title">
          <h2 id="susp-title">{site.status === 'suspended' ? 'Suspended' : 'Suspend'}</h2>
          <p className="muted">{site.status === 'suspended' ? 'Visitors get a 503 page.' : 'Visitors get a 503 page; only an operator can resume a site an operator suspended.'}</p>
          <SuspendButton id={site.id} name={site.name} suspended={site.status === 'suspended'} />
        </section>
      ) : null}
      {site.status !== 'deleting' && site.status !== 'deleted' ? (
        <section className="card danger-zone" aria-labelledby="del-title">
          <h2 id="del-title">Delete</h2>
          <AdminDeleteForm id={site.id} name={site.name} />
        </section>
      ) : null}
    </>
  );
}
