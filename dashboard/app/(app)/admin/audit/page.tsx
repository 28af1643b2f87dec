// The audit log: who changed what, when, from where.
import type { Metadata } from 'next';
import { adminAudit } from '@/lib/admin';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { Ago } from '@/app/ui/time';
import { SearchBox } from '../search';
import { Pager } from '../pager';

export const metadata: Metadata = { title: 'Admin · Audit log' };

export default async function AdminAuditPage({ searchParams }: PageProps<'/admin/audit'>) {
  const sp = await searchParams;
  const q = typeof sp.q === 'string' ? sp.q : '';
  const offset = Number(typeof sp.offset === 'string' ? sp.offset : 0) || 0;
  const result = await load((v) => adminAudit(v.token, { search: q, offset }));
  return (
    <>
      <h1>Audit log</h1>
      <SearchBox action="/admin/audit" q={q} label="Search by action, actor or target" />
      {!result.ok ? <ProblemPanel problem={result.problem} /> : result.data.items.length === 0 ? (
        <p className="card empty">No events{q ? ` match “${q}”` : ''}.</p>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Audit events">
            <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">From</th></tr></thead>
            <tbody>
              {result.data.items.map((e) => (
                <tr key={e.id}>
                  <td data-label="When"><Ago at={e.at} /></td>
                  <td data-label="Who">{e.actorLabel ?? e.actor ?? '—'}</td>
                  <th scope="row" data-label="Action"><code>{e.action}</code></th>
                  <td data-label="Target">{e.targetType}{e.targetId ? ` ${e.targetId}` : ''}</td>
                  <td data-label="From">{e.ip ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result.ok ? <Pager path="/admin/audit" q={q} offset={offset} count={result.data.items.length} total={result.data.total} /> : null}
    </>
  );
}
