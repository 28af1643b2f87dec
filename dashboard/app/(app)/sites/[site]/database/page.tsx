// A site's Postgres database and Redis cache: where they are, how much is used, and their
// connection URLs (masked; revealed on request for those who may deploy).
import type { Metadata } from 'next';
import { siteData, type SiteDatabaseInfo } from '@/lib/database';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { SiteCrumbs } from '@/app/ui/breadcrumbs';
import { SiteTabs } from '../site-tabs';
import { ConnectionUrl } from './reveal';

export async function generateMetadata({ params }: PageProps<'/sites/[site]/database'>): Promise<Metadata> {
  return { title: `Database and cache · ${decodeURIComponent((await params).site)}` };
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

function bytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${UNITS[u]}`;
}

function SizeUsed({ db }: { db: SiteDatabaseInfo }) {
  if (db.quotaBytes === null) return <p data-testid="database-size">{bytes(db.sizeBytes)} used <span className="muted small">(no size quota)</span></p>;
  const share = Math.min(100, Math.round((db.sizeBytes / db.quotaBytes) * 100));
  return (
    <div className="usage">
      <label htmlFor="db-usage" data-testid="database-size">{bytes(db.sizeBytes)} of {bytes(db.quotaBytes)} used ({share}%)</label>
      <meter id="db-usage" min={0} max={db.quotaBytes} low={db.quotaBytes * 0.8} high={db.quotaBytes * 0.95} optimum={0} value={db.sizeBytes} />
    </div>
  );
}

export default async function DatabasePage({ params }: PageProps<'/sites/[site]/database'>) {
  const name = decodeURIComponent((await params).site);
  const result = await load((v) => siteData(v.token, name));
  return (
    <div className="stack">
      <SiteCrumbs site={name} />
      <h1>Database and cache</h1>
      <SiteTabs site={name} />
      {!result.ok ? <ProblemPanel problem={result.problem} /> : (
        <>
          <p className="muted">Your site gets these as <code>DATABASE_URL</code> and <code>CACHE_URL</code>. Revealing a password needs the developer role and is recorded in the audit log.</p>
          <section className="card stack" aria-labelledby="db-title">
            <h2 id="db-title">Postgres database</h2>
            <dl className="facts">
              <div><dt>Host</dt><dd><code>{result.data.database.host}</code></dd></div>
              <div><dt>Port</dt><dd>{result.data.database.port}</dd></div>
              <div><dt>Database</dt><dd><code>{result.data.database.name}</code></dd></div>
              <div><dt>User</dt><dd><code>{result.data.database.user}</code></dd></div>
              <div><dt>Connection limit</dt><dd>{result.data.database.connectionLimit ?? <span className="muted">none</span>}</dd></div>
            </dl>
            <SizeUsed db={result.data.database} />
            <ConnectionUrl site={name} which="database" masked={result.data.database.url} />
          </section>
          <section className="card stack" aria-labelledby="cache-title">
            <h2 id="cache-title">Redis cache</h2>
            {result.data.cache ? (
              <>
                <dl className="facts">
                  <div><dt>Host</dt><dd><code>{result.data.cache.host}</code></dd></div>
                  <div><dt>Port</dt><dd>{result.data.cache.port}</dd></div>
                  <div><dt>User</dt><dd><code>{result.data.cache.user}</code></dd></div>
                  <div><dt>Key prefix</dt><dd><code>{result.data.cache.prefix}</code></dd></div>
                  <div><dt>Keys used</dt><dd>{result.data.cache.usedKeys ?? <span className="muted">not counted</span>}</dd></div>
                </dl>
                <p className="muted small">The cache user may touch only keys under its prefix; key-listing commands such as <code>KEYS</code> and <code>SCAN</code> are denied.</p>
                <ConnectionUrl site={name} which="cache" masked={result.data.cache.url} />
              </>
            ) : <p className="muted">This site has no cache.</p>}
          </section>
        </>
      )}
    </div>
  );
}
