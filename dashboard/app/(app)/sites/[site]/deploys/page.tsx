// A site's deploys and releases: the live log of a deploy in progress (or of any past one), the
// release history (with the env var names each release changed), and rollback to an earlier
// release (its code and its env vars).
import type { Metadata } from 'next';
import Link from 'next/link';
import { listDeploys, listReleases, RUNNING, type Deploy } from '@/lib/deploys';
import { currentMe } from '@/lib/accounts';
import { getSite } from '@/lib/sites';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { StatusBadge } from '@/app/ui/status';
import { Ago } from '@/app/ui/time';
import { DeployLog } from '@/app/ui/deploy-log';
import { SiteCrumbs } from '@/app/ui/breadcrumbs';
import { SiteTabs } from '../site-tabs';
import { EnvChangesNote } from './env-changes';
import { RollbackButton } from './rollback-button';

export async function generateMetadata({ params }: PageProps<'/sites/[site]/deploys'>): Promise<Metadata> {
  return { title: `Deploys · ${decodeURIComponent((await params).site)}` };
}

const rank: Record<string, number> = { owner: 3, admin: 2, developer: 1, viewer: 0 };

export default async function DeploysPage({ params, searchParams }: PageProps<'/sites/[site]/deploys'>) {
  const name = decodeURIComponent((await params).site);
  const sp = await searchParams;
  const result = await load(async (v) => {
    const [site, deploys, releases, me] = await Promise.all([getSite(v.token, name), listDeploys(v.token, name), listReleases(v.token, name), currentMe()]);
    return { site, deploys, releases, role: me?.organisations.find((o) => o.name === site.org)?.role ?? 'viewer' };
  });
  const head = (
    <>
      <SiteCrumbs site={name} />
      <h1>Deploys</h1>
      <SiteTabs site={name} />
    </>
  );
  if (!result.ok) return <div className="stack">{head}<ProblemPanel problem={result.problem} /></div>;
  const { deploys, releases, role } = result.data;
  const running = deploys.find((d) => RUNNING.includes(d.status));
  const wanted = typeof sp.log === 'string' ? deploys.find((d) => d.id === sp.log) : undefined;
  const shown: Deploy | undefined = wanted ?? running;
  const canDeploy = (rank[role] ?? 0) >= rank.developer!;
  return (
    <div className="stack">
      {head}
      {shown ? (
        <section className="card" aria-labelledby="log-title">
          <h2 id="log-title">{RUNNING.includes(shown.status) ? 'Deploy in progress' : `Log of the ${shown.kind}`} <span className="muted small">started <Ago at={shown.createdAt} /></span></h2>
          <DeployLog key={shown.id} src={`/sites/${encodeURIComponent(name)}/deploys/${shown.id}/events`} initialStatus={shown.status} />
        </section>
      ) : null}
      <section aria-labelledby="releases-title" className="stack">
        <h2 id="releases-title">Releases</h2>
        {releases.length > 1 ? <p className="muted small">Every change of code or env vars is a release. Rolling back re-releases an earlier one: its code and its env vars.</p> : null}
        {releases.length === 0 ? (
          <p className="card empty">Nothing released yet. Push your code with <code>paddock push</code>.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-labelledby="releases-title">
              <thead><tr><th scope="col">Release</th><th scope="col">What</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col"><span className="sr-only">Rollback</span></th></tr></thead>
              <tbody>
                {releases.map((r) => (
                  <tr key={r.version}>
                    <th scope="row">v{r.version}</th>
                    <td data-label="What">{r.description || r.kind}<EnvChangesNote changes={r.envChanges} />{r.error ? <span className="field-error"> {r.error}</span> : null}</td>
                    <td data-label="Status"><StatusBadge status={r.status} /></td>
                    <td data-label="Created"><Ago at={r.createdAt} /></td>
                    <td>{canDeploy && !r.current && r.status === 'superseded' && !running ? <RollbackButton site={name} version={r.version} /> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="deploys-title" className="stack">
        <h2 id="deploys-title">Deploy history</h2>
        {deploys.length === 0 ? (
          <p className="muted">No deploys yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-labelledby="deploys-title">
              <thead><tr><th scope="col">When</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Release</th><th scope="col"><span className="sr-only">Log</span></th></tr></thead>
              <tbody>
                {deploys.map((d) => (
                  <tr key={d.id}>
                    <th scope="row"><Ago at={d.createdAt} /></th>
                    <td data-label="Kind">{d.kind}</td>
                    <td data-label="Status"><StatusBadge status={d.status} />{d.error ? <span className="field-error"> {d.error}</span> : null}</td>
                    <td data-label="Release">{d.version != null ? `v${d.version}` : '—'}</td>
                    <td><Link href={{ pathname: `/sites/${encodeURIComponent(name)}/deploys`, query: { log: d.id } }}>View log<span className="sr-only"> of the {d.kind} at {d.createdAt}</span></Link></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
