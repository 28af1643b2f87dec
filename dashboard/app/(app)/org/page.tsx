// The organisation: its members and roles, pending invitations, and a form to invite someone.
import type { Metadata } from 'next';
import Link from 'next/link';
import { listInvitations, listMembers, listOrgs, type Org } from '@/lib/orgs';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { Ago } from '@/app/ui/time';
import { InviteForm } from './forms';

export const metadata: Metadata = { title: 'Organisation' };

function pick(orgs: Org[], wanted: string | undefined): Org | undefined {
  return orgs.find((o) => o.name === wanted) ?? orgs[0];
}

export default async function OrgPage({ searchParams }: PageProps<'/org'>) {
  const q = await searchParams;
  const result = await load(async (v) => {
    const orgs = await listOrgs(v.token);
    const org = pick(orgs, typeof q.org === 'string' ? q.org : undefined);
    if (!org) return { orgs, org, members: [], invitations: [] };
    const canManage = org.role === 'owner' || org.role === 'admin';
    const [members, invitations] = await Promise.all([
      listMembers(v.token, org.name),
      canManage ? listInvitations(v.token, org.name) : Promise.resolve([]),
    ]);
    return { orgs, org, members, invitations, canManage };
  });
  if (!result.ok) return <div className="stack"><h1>Organisation</h1><ProblemPanel problem={result.problem} /></div>;
  const { orgs, org, members, invitations } = result.data;
  if (!org) return <div className="stack"><h1>Organisation</h1><p className="card empty">You do not belong to any organisation.</p></div>;
  const canManage = org.role === 'owner' || org.role === 'admin';
  return (
    <div className="stack">
      <div className="page-head">
        <h1>{org.name}</h1>
        <Link href="/org/tokens">API tokens</Link>
      </div>
      {orgs.length > 1 ? (
        <nav aria-label="Your organisations" className="chips">
          {orgs.map((o) => (
            <Link key={o.id} href={{ pathname: '/org', query: { org: o.name } }} aria-current={o.id === org.id ? 'page' : undefined}>{o.name}</Link>
          ))}
        </nav>
      ) : null}
      <p className="muted">Plan: {org.plan ?? '—'} · Your role: {org.role ?? '—'}</p>
      <section aria-labelledby="members-title" className="stack">
        <h2 id="members-title">Members</h2>
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col">Since</th></tr></thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.accountId ?? m.id ?? m.email}>
                  <th scope="row">{m.name ? <>{m.name} <span className="muted small">{m.email}</span></> : m.email}</th>
                  <td data-label="Role">{m.role}</td>
                  <td data-label="Since"><Ago at={m.createdAt} /></td>
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
                {invitations.map((i) => <li key={i.id}>{i.email} — {i.role}, expires <Ago at={i.expiresAt} /></li>)}
              </ul>
            )}
          </section>
          <section aria-labelledby="invite-title" className="card">
            <h2 id="invite-title">Invite someone</h2>
            <InviteForm org={org.name} />
          </section>
        </>
      ) : null}
    </div>
  );
}
