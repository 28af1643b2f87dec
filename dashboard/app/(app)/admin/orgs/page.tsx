// Every organisation, searchable, with its plan.
import type { Metadata } from 'next';
import { adminOrgs } from '@/lib/admin';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { Ago } from '@/app/ui/time';
import { PlanForm } from '../forms';
import { SearchBox } from '../search';
import { Pager } from '../pager';

export const metadata: Metadata = { title: 'Admin · Organisations' };

const PLANS = ['free', 'pro', 'business'];

export default async function AdminOrgsPage({ searchParams }: PageProps<'/admin/orgs'>) {
  const sp = await searchParams;
  const q = typeof sp.q === 'string' ? sp.q : '';
  const offset = Number(typeof sp.offset === 'string' ? sp.offset : 0) || 0;
  const result = await load((v) => adminOrgs(v.token, { search: q, offset }));
  return (
    <>
      <h1>Organisations</h1>
      <SearchBox action="/admin/orgs" q={q} label="Search organisations" />
      {!result.ok ? <ProblemPanel problem={result.problem} /> : result.data.items.length === 0 ? (
        <p className="card empty">{q ? `No organisation matches “${q}”.` : 'No organisations yet.'}</p>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="All organisations">
            <thead><tr><th scope="col">Organisation</th><th scope="col">Sites</th><th scope="col">Members</th><th scope="col">Created</th><th scope="col">Plan</th></tr></thead>
            <tbody>
              {result.data.items.map((o) => (
                <tr key={o.id}>
                  <th scope="row">{o.name}</th>
                  <td data-label="Sites">{o.sites ?? '—'}</td>
                  <td data-label="Members">{o.members ?? '—'}</td>
                  <td data-label="Created"><Ago at={o.createdAt} /></td>
                  <td data-label="Plan"><PlanForm org={o.name} plan={o.plan} plans={PLANS} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result.ok ? <Pager path="/admin/orgs" q={q} offset={offset} count={result.data.items.length} total={result.data.total} /> : null}
    </>
  );
}
