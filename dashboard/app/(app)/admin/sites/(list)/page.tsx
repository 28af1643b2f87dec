// Every site on the platform, searchable by name and filtered by status, with suspend / resume.
import type { Metadata } from 'next';
import Link from 'next/link';
import { adminSites } from '@/lib/admin';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { StatusBadge } from '@/app/ui/status';
import { Ago } from '@/app/ui/time';
import { SuspendButton } from '../../forms';
import { SearchBox } from '../../search';
import { AdminTabs } from '../../admin-tabs';
import { Pager, pageParam, textParam } from '../../pager';

export const metadata: Metadata = { title: 'Admin · Sites' };

const STATUSES = ['provisioning', 'ready', 'suspended', 'failed', 'deleting', 'deleted'];

export default async function AdminSitesPage({ searchParams }: PageProps<'/admin/sites'>) {
  const sp = await searchParams;
  const q = textParam(sp.q);
  const status = STATUSES.includes(textParam(sp.status)) ? textParam(sp.status) : '';
  const page = pageParam(sp.page);
  const result = await load((v) => adminSites(v.token, { q, status: status || undefined, page }));
  const query = { ...(q ? { q } : {}), ...(status ? { status } : {}) };
  return (
    <>
      <AdminTabs />
      <h1>Sites</h1>
      <SearchBox action="/admin/sites" q={q} label="Search sites by name" />
      <nav aria-label="Filter by status" className="chips">
        <Link href={{ pathname: '/admin/sites', query: q ? { q } : {} }} aria-current={status ? undefined : 'page'}>all</Link>
        {STATUSES.map((s) => (
          <Link key={s} href={{ pathname: '/admin/sites', query: { ...(q ? { q } : {}), status: s } }} aria-current={status === s ? 'page' : undefined}>{s}</Link>
        ))}
      </nav>
      {!result.ok ? <ProblemPanel problem={result.problem} /> : result.data.sites.length === 0 ? (
        <p className="card empty">{q || status ? 'No site matches.' : 'No sites on the platform yet.'}</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" aria-label="All sites">
              <thead><tr><th scope="col">Site</th><th scope="col">Organisation</th><th scope="col">Status</th><th scope="col">Size</th><th scope="col">Created</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {result.data.sites.map((s) => (
                  <tr key={s.id}>
                    <th scope="row"><Link href={`/admin/sites/${s.id}`}>{s.name}</Link></th>
                    <td data-label="Organisation">{s.org}</td>
                    <td data-label="Status"><StatusBadge status={s.status} />{s.statusReason ? <span className="muted small"> {s.statusReason}</span> : null}</td>
                    <td data-label="Size">{s.replicas} × {s.memoryMb} MB</td>
                    <td data-label="Created"><Ago at={s.createdAt} /></td>
                    <td>{s.status === 'ready' || s.status === 'suspended' ? <SuspendButton id={s.id} name={s.name} suspended={s.status === 'suspended'} /> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager path="/admin/sites" query={query} info={result.data.page} />
        </>
      )}
    </>
  );
}
