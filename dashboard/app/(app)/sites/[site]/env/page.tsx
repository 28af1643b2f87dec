// A site's environment variables: names listed, values masked until revealed one by one; set,
// change or remove one (a live site gets a new release with it).
import type { Metadata } from 'next';
import { envVars } from '@/lib/site-config';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { SiteCrumbs } from '@/app/ui/breadcrumbs';
import { SiteTabs } from '../site-tabs';
import { AddVarForm, VarRow } from './forms';

export async function generateMetadata({ params }: PageProps<'/sites/[site]/env'>): Promise<Metadata> {
  return { title: `Environment · ${decodeURIComponent((await params).site)}` };
}

export default async function EnvPage({ params }: PageProps<'/sites/[site]/env'>) {
  const name = decodeURIComponent((await params).site);
  // Only the names reach the page; values are fetched when someone clicks Reveal.
  const result = await load(async (v) => Object.keys(await envVars(v.token, name)));
  return (
    <div className="stack">
      <SiteCrumbs site={name} />
      <h1>Environment variables</h1>
      <SiteTabs site={name} />
      <p className="muted">The platform sets <code>DATABASE_URL</code>, <code>CACHE_URL</code>, <code>SECRET_KEY</code> and <code>PORT</code> itself. Every change here makes a new release of a live site.</p>
      {!result.ok ? <ProblemPanel problem={result.problem} /> : (
        <>
          {result.data.length === 0 ? (
            <p className="card empty">No variables yet.</p>
          ) : (
            <div className="table-wrap">
              <table className="table" aria-label="Environment variables">
                <thead><tr><th scope="col">Name</th><th scope="col">Value</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
                <tbody>{result.data.map((n) => <VarRow key={n} site={name} name={n} />)}</tbody>
              </table>
            </div>
          )}
          <section className="card" aria-labelledby="add-title">
            <h2 id="add-title">Set a variable</h2>
            <AddVarForm site={name} />
          </section>
        </>
      )}
    </div>
  );
}
