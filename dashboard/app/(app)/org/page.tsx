// The organisation: its plan and quotas, members and roles, pending invitations, invite someone.
import type { Metadata } from 'next';
import Link from 'next/link';
import { listInvitations, listMembers, listOrgs, type Org } from '@/lib/orgs';
import { load } from '@/lib/load';
import { billingOf } from '@/lib/billing';
import { ProblemPanel } from '@/app/ui/problem';
import { Ago } from '@/app/ui/time';
import { InviteForm, MemberControls } from './forms';
import { withdrawInvitationAction } from './actions';

export const metadata: Metadata = { title: 'Organisation' };

function pick(orgs: Org[], wanted: string | undefined): Org | undefined {
  return orgs.find((o) => o.name === wanted) ?? orgs[0];
}

const manages = (o: Org) => o.role === 'owner' || o.role === 'admin';

export default async function OrgPage({ searchParams }: PageProps<'/org'>) {
  const q = await searchParams;
  const result = await load(async (v) => {
    const [orgs, account] = await Promise.all([listOrgs(v.token), v.account()]);
    const org = pick(orgs, typeof q.org === 'string' ? q.org : undefined);
    if (!org) return { orgs, org, members: [], invitations: [], me: account.id, billing: false };
    const [members, invitations, billing] = await Promise.all([
      listMembers(v.token, org.name),
      manages(org) ? listInvitations(v.token, org.name) : Promise.resolve([]),
      // Only platforms that charge have a Billing page.
      billingOf(v.token, org.name).then((b) => b !== null, () => false),
    ]);
    return { orgs, org, members, invitations, me: account.id, billing };
  });
  if (!result.ok) return <div className="stack"><h1>Organisation</h1><ProblemPanel problem={result.problem} /></div>;
  const { orgs, org, members, invitations, me, billing } = result.data;
  if (!org) return <div className="stack"><h1>Organisation</h1><p className="card empty">You do not belong to any organisation.</p></div>;
  const canManage = manages(org);
  const isOwner = org.role === 'owner';
  // The API refuses to demote or remove an organisation's last owner: offer neither.
  const soleOwner = members.filter((m) => m.role === 'owner').length === 1;
  return (
    <div className="stack">
      <div className="page-head">
        <h1>{org.name}</h1>
        <div className="chips">
          {billing ? <Link href={{ pathname: '/billing', query: { org: org.name } }}>Billing</Link> : null}
          <Link href="/org/tokens">Your API tokens</Link>
        </div>
      </div>
      {orgs.length > 1 ? (
        <nav aria-label="Your organisations" className="chips">
          {orgs.map((o) => (
            <Link key={o.id} href={{ pathname: '/org', query: { org: o.name } }} aria-current={o.id === org.id ? 'page' : undefined}>{o.name}</Link>
          ))}
        </nav>
      ) : null}
      <section className="card" aria-labelledby="plan-title">
        <h2 id="plan-title">Plan</h2>
        <dl className="facts">
          <div><dt>Plan</dt><dd>{org.plan}</dd></div>
          <div><dt>Your role</dt><dd>{org.role ?? '—'}</dd></div>
          {org.quotas ? (
            <>
              <div><dt>Sites</dt><dd>up to {org.quotas.sites}</dd></div>
              <div><dt>Replicas per site</dt><dd>up to {org.quotas.replicas}</dd></div>
              <div><dt>Memory</dt><dd>{org.quotas.memoryMb} MB</dd></div>
              <div><dt>Database</dt><dd>{org.quotas.databaseMb} MB</dd></div>
            </>
          ) : null}
        </dl>
      </section>
      <section aria-labelledby="members-title" className="stack">
        <h2 id="members-title">Members</h2>
        <div className="table-wrap">
          <table className="table" aria-labelledby="members-title">
            <thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col">Since</th>{canManage ? <th scope="col"><span className="sr-only">Change</span></th> : null}</tr></thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.accountId}>
                  <th scope="row">{m.name ? <>{m.name} <span className="muted small">{m.email}</span></> : m.email}{m.accountId === me ? <span className="muted small"> (you)</span> : null}</th>
                  <td data-label="Role">{m.role}</td>
                  <td data-label="Since"><Ago at={m.since} /></td>
                  {canManage ? (
                    <td>{m.role === 'owner' && soleOwner ? (
                      <span className="muted small" data-testid="sole-owner">The only owner: make someone else owner before changing this role.</span>
                    ) : isOwner || m.role !== 'owner' ? <MemberControls org={org.name} accountId={m.accountId} email={m.email} role={m.role} canManageOwners={isOwner} /> : null}</td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {canManage ? (
        <>
          <section aria-labelledby="inv-title" className="stack">
            <h2 id="inv-title">Pending invitations</h2>
            {invitations.length === 0 ? (
              <p className="muted">No pending invitations.</p>
            ) : (
              <ul className="plain-list">
                {invitations.map((i) => (
                  <li key={i.id} className="row-form">
                    <span>{i.email} — {i.role}, expires <Ago at={i.expiresAt} /></span>
                    <form action={withdrawInvitationAction}>
                      <input type="hidden" name="org" value={org.name} />
                      <input type="hidden" name="id" value={i.id} />
                      <button type="submit" className="link-button">Withdraw<span className="sr-only"> the invitation of {i.email}</span></button>
                    </form>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="invite-title" className="card">
            <h2 id="invite-title">Invite someone</h2>
            <InviteForm org={org.name} canInviteOwners={isOwner} />
          </section>
        </>
      ) : null}
    </div>
  );
}
