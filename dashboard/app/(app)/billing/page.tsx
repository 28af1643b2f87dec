// An organisation's billing, on platforms that charge for plans: the plan and subscription, the
// sites used against the plan, the upcoming and past invoices (links to Stripe's PDFs), the plans for sale with a Subscribe button (owners; Stripe
// Checkout), and the Customer Portal for cards, invoices, plan changes and cancellation. Where
// billing is off this page does not exist.
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Breadcrumbs } from '@/app/ui/breadcrumbs';
import { ProblemPanel } from '@/app/ui/problem';
import { load } from '@/lib/load';
import { listOrgs } from '@/lib/orgs';
import { billingOf, money, paying } from '@/lib/billing';
import { checkoutAction, portalAction } from './actions';

export const metadata: Metadata = { title: 'Billing' };

export default async function BillingPage({ searchParams }: PageProps<'/billing'>) {
  const q = await searchParams;
  const result = await load(async (v) => {
    const orgs = await listOrgs(v.token);
    const org = orgs.find((o) => o.name === q.org) ?? orgs.find((o) => o.personal) ?? orgs[0];
    if (!org) return undefined;
    const billing = await billingOf(v.token, org.name);
    return billing ? { org, billing } : undefined;
  });
  if (result.ok && !result.data) notFound();
  if (!result.ok) return <div className="stack"><h1>Billing</h1><ProblemPanel problem={result.problem} /></div>;
  const { org, billing } = result.data!;
  const owner = org.role === 'owner';
  const sub = billing.subscription;
  const subscribed = paying(sub?.status);
  const problem = typeof q.problem === 'string' ? q.problem : undefined;
  return (
    <div className="stack">
      <Breadcrumbs trail={[{ href: `/org?org=${encodeURIComponent(org.name)}`, label: org.name }]} />
      <h1>Billing</h1>
      {q.checkout === 'done' ? <p className="card" role="status">Thank you: the plan changes as soon as Stripe confirms the payment.</p> : null}
      {problem ? <p className="card" role="alert">{problem}</p> : null}
      {sub?.status === 'past_due' ? <p className="card" role="alert">The last payment failed. Update the card in the billing portal.</p> : null}
      <section className="card" aria-labelledby="billing-plan-title">
        <h2 id="billing-plan-title">Plan</h2>
        <dl className="facts">
          <div><dt>Plan</dt><dd data-testid="billing-plan">{billing.planTitle}</dd></div>
          <div><dt>Subscription</dt><dd>{sub ? sub.status : 'none'}{sub?.periodEnd ? `, period ends ${sub.periodEnd.slice(0, 10)}` : ''}</dd></div>
          <div><dt>Sites</dt><dd>{billing.usage.sites.used} of {billing.usage.sites.limit}</dd></div>
        </dl>
        {owner && sub ? (
          <form action={portalAction}>
            <input type="hidden" name="org" value={org.name} />
            <button type="submit" className="button button-secondary">Manage billing on Stripe</button>
          </form>
        ) : null}
      </section>
      {billing.invoices ? (
        <section aria-labelledby="billing-invoices-title" className="stack">
          <h2 id="billing-invoices-title">Invoices</h2>
          {billing.invoices.upcoming ? (
            <p>Upcoming: {money(billing.invoices.upcoming.amountDueCents)}{billing.invoices.upcoming.date ? ` on ${billing.invoices.upcoming.date.slice(0, 10)}` : ''}, plus metered usage.</p>
          ) : null}
          {billing.invoices.past.length ? (
            <div className="table-wrap">
              <table className="table" aria-labelledby="billing-invoices-title">
                <thead><tr><th scope="col">Invoice</th><th scope="col">Date</th><th scope="col">Total</th><th scope="col">Status</th><th scope="col"><span className="sr-only">Links</span></th></tr></thead>
                <tbody>
                  {billing.invoices.past.map((i) => (
                    <tr key={i.id}>
                      <th scope="row">{i.number ?? i.id}</th>
                      <td data-label="Date">{i.created.slice(0, 10)}</td>
                      <td data-label="Total">{money(i.totalCents)}</td>
                      <td data-label="Status">{i.status ?? '—'}</td>
                      <td>{i.pdfUrl ? <a href={i.pdfUrl}>PDF</a> : i.hostedUrl ? <a href={i.hostedUrl}>View</a> : null}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : <p className="muted">No invoices yet.</p>}
        </section>
      ) : sub ? <p className="card" role="status">Stripe did not answer, so invoices are not shown; reload in a moment.</p> : null}
      <section aria-labelledby="billing-plans-title" className="stack">
        <h2 id="billing-plans-title">Plans</h2>
        <div className="table-wrap">
          <table className="table" aria-labelledby="billing-plans-title">
            <thead><tr><th scope="col">Plan</th><th scope="col">Monthly</th><th scope="col">Sites</th><th scope="col">Usage</th>{owner && !subscribed ? <th scope="col"><span className="sr-only">Subscribe</span></th> : null}</tr></thead>
            <tbody>
              {billing.plans.map((p) => (
                <tr key={p.name}>
                  <th scope="row">{p.title}{p.name === billing.plan ? <span className="muted small"> (current)</span> : null}</th>
                  <td data-label="Monthly">{money(p.monthlyCents)}</td>
                  <td data-label="Sites">{p.quotas.sites}</td>
                  <td data-label="Usage">{p.usagePrices.map((u) => `${money(u.cents)} per ${u.per}`).join(', ')}</td>
                  {owner && !subscribed ? (
                    <td>
                      <form action={checkoutAction}>
                        <input type="hidden" name="org" value={org.name} />
                        <input type="hidden" name="plan" value={p.name} />
                        <button type="submit" className="button">Subscribe to {p.title}</button>
                      </form>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {!owner ? <p className="muted small">Only the organisation&apos;s owners subscribe or change its billing.</p> : null}
      </section>
    </div>
  );
}
