// The audit log: who changed what, when, from where — sites, organisations and accounts by name;
// filtered by action, by what it is about (a site or organisation name, an email) and by who did it.
import type { Metadata } from 'next';
import Form from 'next/form';
import Link from 'next/link';
import { adminAudit, type AuditEvent } from '@/lib/admin';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { Ago } from '@/app/ui/time';
import { AdminTabs } from '../admin-tabs';
import { Pager, pageParam, textParam } from '../pager';

export const metadata: Metadata = { title: 'Admin · Audit log' };

const names = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** What a site's release, env, domain or scale event changed, in a few words (env var names, never values). */
function eventDetail(e: AuditEvent): string | undefined {
  const d = e.details;
  switch (e.action) {
    case 'release.live': return `v${String(d.version)}${d.kind && d.kind !== 'deploy' ? ` (${String(d.kind)})` : ''}`;
    case 'deploy.failed': return d.kind && d.kind !== 'deploy' ? `${String(d.kind)}` : undefined;
    case 'site.rollback': return `to v${String(d.version)}`;
    case 'site.env': return [names(d.set).length ? `set ${names(d.set).join(', ')}` : '', names(d.removed).length ? `removed ${names(d.removed).join(', ')}` : ''].filter(Boolean).join('; ');
    case 'domain.add': case 'domain.verify': case 'domain.remove': return typeof d.hostname === 'string' ? d.hostname : undefined;
    case 'site.resize': {
      const replicas = (x: unknown) => (x && typeof x === 'object' && 'replicas' in x ? String(x.replicas) : '?');
      return `${replicas(d.from)} → ${replicas(d.to)} replicas`;
    }
    default: return undefined;
  }
}

/** What an event is about, by name (a site links to its admin page); the id only when nothing has a name for it. */
function AuditTarget({ e }: { e: AuditEvent }) {
  const name = e.targetName;
  const detail = eventDetail(e);
  if (e.targetType === 'site' && name && e.targetId) return <>site <Link href={`/admin/sites/${e.targetId}`}>{name}</Link>{detail ? <span className="muted small"> {detail}</span> : null}</>;
  if (name) return <>{e.targetType} {name}</>;
  return <>{e.targetType}{e.targetId ? <> <code className="small" title={e.targetId}>{e.targetId.slice(0, 8)}</code></> : null}</>;
}

export default async function AdminAuditPage({ searchParams }: PageProps<'/admin/audit'>) {
  const sp = await searchParams;
  const action = textParam(sp.action);
  const target = textParam(sp.target);
  const actor = textParam(sp.actor);
  const page = pageParam(sp.page);
  const result = await load((v) => adminAudit(v.token, { action: action || undefined, target: target || undefined, actor: actor || undefined, page }));
  const query = { ...(action ? { action } : {}), ...(target ? { target } : {}), ...(actor ? { actor } : {}) };
  return (
    <>
      <AdminTabs />
      <h1>Audit log</h1>
      <Form action="/admin/audit" className="search" role="search">
        <label htmlFor="audit-action" className="sr-only">Action (exact, e.g. site.suspend)</label>
        <input id="audit-action" name="action" type="search" defaultValue={action} placeholder="Action, e.g. site.suspend" />
        <label htmlFor="audit-target" className="sr-only">About: a site or organisation name, or an email</label>
        <input id="audit-target" name="target" type="search" defaultValue={target} placeholder="About: site, org or email" />
        <label htmlFor="audit-actor" className="sr-only">By: the email of who did it</label>
        <input id="audit-actor" name="actor" type="search" defaultValue={actor} placeholder="By: email" />
        <button type="submit" className="button button-secondary">Filter</button>
      </Form>
      {!result.ok ? <ProblemPanel problem={result.problem} /> : result.data.events.length === 0 ? (
        <p className="card empty">No events{action || target || actor ? ' match' : ''}.</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" aria-label="Audit events">
              <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">About</th><th scope="col">Organisation</th><th scope="col">From</th></tr></thead>
              <tbody>
                {result.data.events.map((e) => (
                  <tr key={e.id}>
                    <td data-label="When"><Ago at={e.at} /></td>
                    <td data-label="Who">{e.actor}</td>
                    <th scope="row" data-label="Action"><code>{e.action}</code></th>
                    <td data-label="About"><AuditTarget e={e} /></td>
                    <td data-label="Organisation">{e.org ? <Link href={{ pathname: '/admin/orgs', query: { q: e.org } }}>{e.org}</Link> : '—'}</td>
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
