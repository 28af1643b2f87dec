// The sites of every organisation the user belongs to: status, URL, last deploy, awake or asleep.
import type { Metadata } from 'next';
import Link from 'next/link';
import { listSites, type Site } from '@/lib/sites';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { StatusBadge } from '@/app/ui/status';
import { Ago } from '@/app/ui/time';

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
  // The API reports last deploy and sleep state only once the deploy pipeline fills them in;
  // until then the columns would only hold dashes.
  const hasDeploys = sites.some((s) => 'lastDeployAt' in s || 'release' in s);
  const hasSleep = sites.some((s) => 'sleeping' in s);
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
                {hasSleep ? <th scope="col">Awake</th> : null}
              </tr>
            </thead>
            <tbody>
              {sites.map((s) => (
                <tr key={s.id}>
                  <th scope="row"><Link href={`/sites/${encodeURIComponent(s.name)}`}>{s.name}</Link></th>
                  <td data-label="Organisation">{s.org}</td>
                  <td data-label="Status"><StatusBadge status={s.status} /></td>
                  <td data-label="URL"><a href={s.url}>{s.url.replace(/^https?:\/\//, '')}</a></td>
                  {hasDeploys ? <td data-label="Last deploy">{s.lastDeployAt || s.release?.createdAt ? <Ago at={s.lastDeployAt ?? s.release?.createdAt} /> : <span className="muted">never</span>}</td> : null}
                  {hasSleep ? <td data-label="Awake">{s.sleeping == null ? <span className="muted">—</span> : s.sleeping ? 'sleeping' : 'awake'}</td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
  );
}
