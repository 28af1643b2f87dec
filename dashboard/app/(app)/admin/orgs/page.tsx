// Every organisation, searchable by name and filtered by plan; change a plan or single quotas.
import type { Metadata } from 'next';
import Link from 'next/link';
import { adminOrgs } from '@/lib/admin';
import { listPlans } from '@/lib/sites';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { Ago } from '@/app/ui/time';
import { PlanForm } from '../forms';
import { SearchBox } from '../search';
import { AdminTabs } from '../admin-tabs';
import { Pager, pageParam, textParam } from '../pager';

export const metadata: Metadata = { title: 'Admin · Organisations' };

export default async function AdminOrgsPage({ searchParams }: PageProps<'/admin/orgs'>) {
  const sp = await searchParams;
  const q = textParam(sp.q);
  const plan = textParam(sp.plan);
  const page = pageParam(sp.page);
  const result = await load(async (v) => {
    const [orgs, plans] = await Promise.all([adminOrgs(v.token, { q, plan: plan || undefined, page }), listPlans()]);
    return { ...orgs, plans: plans.map((p) => p.name) };
  });
  const query = { ...(q ? { q } : {}), ...(plan ? { plan } : {}) };
  return (
    <>
      <AdminTabs />
      <h1>Organisations</h1>
      <SearchBox action="/admin/orgs" q={q} label="Search organisations by name" />
      {result.ok ? (
        <nav aria-label="Filter by plan" className="chips">
          <Link href={{ pathname: '/admin/orgs', query: q ? { q } : {} }} aria-current={plan ? undefined : 'page'}>all plans</Link>
          {result.data.plans.map((p) => (
            <Link key={p} href={{ pathname: '/admin/orgs', query: { ...(q ? { q } : {}), plan: p } }} aria-current={plan === p ? 'page' : undefined}>{p}</Link>
          ))}
        </nav>
      ) : null}
      {!result.ok ? <ProblemPanel problem={result.problem} /> : result.data.organisations.length === 0 ? (
        <p className="card empty">{q || plan ? 'No organisation matches.' : 'No organisations yet.'}</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" aria-label="All organisations">
              <thead><tr><th scope="col">Organisation</th><th scope="col">Plan</th><th scope="col">Sites</th><th scope="col">Members</th><th scope="col">Created</th><th scope="col"><span className="sr-only">Change</span></th></tr></thead>
              <tbody>
                {result.data.organisations.map((o) => (
                  <tr key={o.id}>
                    <th scope="row">{o.name}{o.personal ? <span className="muted small"> personal</span> : null}</th>
                    <td data-label="Plan">{o.plan}{o.quotas ? <span className="muted small"> ({o.quotas.sites} sites, {o.quotas.replicas} replicas)</span> : null}</td>
                    <td data-label="Sites">{o.sites}</td>
                    <td data-label="Members">{o.members}</td>
                    <td data-label="Created"><Ago at={o.createdAt} /></td>
                    <td>
                      <details>
                        <summary>Change plan<span className="sr-only"> of {o.name}</span></summary>
                        <PlanForm id={o.id} name={o.name} plan={o.plan} plans={result.data.plans} />
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager path="/admin/orgs" query={query} info={result.data.page} />
        </>
      )}
    </>
  );
}
