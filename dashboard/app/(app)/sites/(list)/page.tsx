// The sites of every organisation the user belongs to: status, URL, last deploy, awake or asleep.
import type { Metadata } from 'next';
import Link from 'next/link';
import { listSites, type Site } from '@/lib/sites';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { StatusBadge } from '@/app/ui/status';
import { Ago } from '@/app/ui/time';
import { RunStateBadge } from '@/app/ui/run-state';
import { SiteUrl } from '@/app/ui/site-url';

export const metadata: Metadata = { title: 'Sites' };

export default async function SitesPage({ searchParams }: PageProps<'/sites'>) {
  const q = await searchParams;
  const result = await load((v) => listSites(v.token));
  return (
    <div className="stack">
      <div className="page-head">
        <h1>Sites</h1>
        <Link href="/sites/new" className="button">New site</Link>
      </div>
      {typeof q.deleted === 'string' ? <p className="notice notice-ok" role="status">{q.deleted} is being deleted.</p> : null}
      {!result.ok ? (
        <ProblemPanel problem={result.problem} />
      ) : result.data.length === 0 ? (
        <section className="card empty">
          <h2>No sites yet</h2>
          <p>Create a site, then push your code to it with <code>paddock push</code>.</p>
          <Link href="/sites/new" className="button">Create your first site</Link>
        </section>
      ) : (
        <SitesTable sites={result.data} />
      )}
    </div>
  );
}

function SitesTable({ sites }: { sites: Site[] }) {
  // An API older than the dashboard does not report deploys or sleep: leave the columns out
  // rather than fill them with dashes.
  const hasDeploys = sites.some((s) => 'lastDeployAt' in s);
  const hasRunState = sites.some((s) => 'runState' in s);
  return (
        <div className="table-wrap">
          <table className="table" aria-label="Your sites">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Organisation</th>
                <th scope="col">Status</th>
                <th scope="col">URL</th>
                {hasDeploys ? <th scope="col">Last deploy</th> : null}
                {hasRunState ? <th scope="col">Awake or sleeping</th> : null}
              </tr>
            </thead>
            <tbody>
              {sites.map((s) => (
                <tr key={s.id}>
                  <th scope="row"><Link href={`/sites/${encodeURIComponent(s.name)}`}>{s.name}</Link></th>
                  <td data-label="Organisation">{s.org}</td>
                  <td data-label="Status"><StatusBadge status={s.status} /></td>
                  <td data-label="URL"><SiteUrl url={s.url} bare /></td>
                  {hasDeploys ? <td data-label="Last deploy">{s.lastDeployAt ? <><Ago at={s.lastDeployAt} />{s.release ? <span className="muted small"> · v{s.release}</span> : null}</> : <span className="muted">never</span>}</td> : null}
                  {hasRunState ? <td data-label="Awake or sleeping"><RunStateBadge state={s.runState} /></td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
  );
}
