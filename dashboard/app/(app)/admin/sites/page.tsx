// Every site on the platform, searchable, with suspend / resume.
import type { Metadata } from 'next';
import { adminSites } from '@/lib/admin';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { StatusBadge } from '@/app/ui/status';
import { Ago } from '@/app/ui/time';
import { SuspendButton } from '../forms';
import { SearchBox } from '../search';
import { Pager } from '../pager';

export const metadata: Metadata = { title: 'Admin · Sites' };

export default async function AdminSitesPage({ searchParams }: PageProps<'/admin/sites'>) {
  const sp = await searchParams;
  const q = typeof sp.q === 'string' ? sp.q : '';
  const offset = Number(typeof sp.offset === 'string' ? sp.offset : 0) || 0;
  const result = await load((v) => adminSites(v.token, { search: q, offset }));
  return (
    <>
      <h1>Sites</h1>
      <SearchBox action="/admin/sites" q={q} label="Search sites by name or organisation" />
      {!result.ok ? <ProblemPanel problem={result.problem} /> : result.data.items.length === 0 ? (
        <p className="card empty">{q ? `No site matches “${q}”.` : 'No sites on the platform yet.'}</p>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="All sites">
            <thead><tr><th scope="col">Site</th><th scope="col">Organisation</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {result.data.items.map((s) => (
                <tr key={s.id}>
                  <th scope="row">{s.name}</th>
                  <td data-label="Organisation">{s.orgName ?? s.org ?? '—'}</td>
                  <td data-label="Status"><StatusBadge status={s.status} />{s.statusReason ? <span className="muted small"> {s.statusReason}</span> : null}</td>
                  <td data-label="Created"><Ago at={s.createdAt} /></td>
                  <td>{s.status === 'ready' || s.status === 'suspended' ? <SuspendButton site={s.name} suspended={s.status === 'suspended'} /> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result.ok ? <Pager path="/admin/sites" q={q} offset={offset} count={result.data.items.length} total={result.data.total} /> : null}
    </>
  );
}
