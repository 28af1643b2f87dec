// A site's custom domains: their status, the DNS record each pending one needs, add / check / remove.
import type { Metadata } from 'next';
import { listDomains } from '@/lib/site-config';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { StatusBadge } from '@/app/ui/status';
import { SiteCrumbs } from '@/app/ui/breadcrumbs';
import { SiteTabs } from '../site-tabs';
import { AddDomainForm, DomainButtons } from './forms';

export async function generateMetadata({ params }: PageProps<'/sites/[site]/domains'>): Promise<Metadata> {
  return { title: `Domains · ${decodeURIComponent((await params).site)}` };
}

export default async function DomainsPage({ params }: PageProps<'/sites/[site]/domains'>) {
  const name = decodeURIComponent((await params).site);
  const result = await load((v) => listDomains(v.token, name));
  return (
    <div className="stack">
      <SiteCrumbs site={name} />
      <h1>Domains</h1>
      <SiteTabs site={name} />
      {!result.ok ? <ProblemPanel problem={result.problem} /> : (
        <>
          {result.data.length === 0 ? (
            <p className="card empty">No custom domains. The site answers at its own address; add yours below.</p>
          ) : (
            <div className="table-wrap">
              <table className="table" aria-label="Domains">
                <thead><tr><th scope="col">Host name</th><th scope="col">Status</th><th scope="col">DNS record to create</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
                <tbody>
                  {result.data.map((d) => (
                    <tr key={d.hostname}>
                      <th scope="row">{d.hostname}</th>
                      <td data-label="Status"><StatusBadge status={d.verified ? 'ready' : 'pending'} /> <span className="sr-only">{d.status}</span></td>
                      <td data-label="DNS record">
                        {d.verification ? (
                          <span className="dns"><code>{d.verification.type}</code> <code>{d.verification.name}</code> <code>{d.verification.value}</code></span>
                        ) : <span className="muted">none needed</span>}
                      </td>
                      <td><DomainButtons site={name} hostname={d.hostname} verified={d.verified} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <section className="card" aria-labelledby="add-domain-title">
            <h2 id="add-domain-title">Add a domain</h2>
            <AddDomainForm site={name} />
          </section>
        </>
      )}
    </div>
  );
}
