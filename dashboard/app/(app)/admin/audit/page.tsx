// The audit log: who changed what, when, from where; filtered by action or target.
import type { Metadata } from 'next';
import Form from 'next/form';
import { adminAudit } from '@/lib/admin';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { Ago } from '@/app/ui/time';
import { Pager, pageParam, textParam } from '../pager';

export const metadata: Metadata = { title: 'Admin · Audit log' };

export default async function AdminAuditPage({ searchParams }: PageProps<'/admin/audit'>) {
  const sp = await searchParams;
  const action = textParam(sp.action);
  const target = textParam(sp.target);
  const page = pageParam(sp.page);
  const result = await load((v) => adminAudit(v.token, { action: action || undefined, target: target || undefined, page }));
  const query = { ...(action ? { action } : {}), ...(target ? { target } : {}) };
  return (
    <>
      <h1>Audit log</h1>
      <Form action="/admin/audit" className="search" role="search">
        <label htmlFor="audit-action" className="sr-only">Action (exact, e.g. site.suspend)</label>
        <input id="audit-action" name="action" type="search" defaultValue={action} placeholder="Action, e.g. site.suspend" />
        <label htmlFor="audit-target" className="sr-only">Target id</label>
        <input id="audit-target" name="target" type="search" defaultValue={target} placeholder="Target id" />
        <button type="submit" className="button button-secondary">Filter</button>
      </Form>
      {!result.ok ? <ProblemPanel problem={result.problem} /> : result.data.events.length === 0 ? (
        <p className="card empty">No events{action || target ? ' match' : ''}.</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" aria-label="Audit events">
              <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">From</th></tr></thead>
              <tbody>
                {result.data.events.map((e) => (
                  <tr key={e.id}>
                    <td data-label="When"><Ago at={e.at} /></td>
                    <td data-label="Who">{e.actor}</td>
                    <th scope="row" data-label="Action"><code>{e.action}</code></th>
                    <td data-label="Target">{e.targetType}{e.targetId ? <> <code className="small">{e.targetId}</code></> : null}</td>
                    <td data-label="From">{e.ip ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager path="/admin/audit" query={query} info={result.data.page} />
        </>
      )}
    </>
  );
}
