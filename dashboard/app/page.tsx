// Home: what Paddock is, where to go next, and whether its API is healthy right now.
import Link from 'next/link';
import { connection } from 'next/server';
import { currentAccount } from '@/lib/accounts';
import { fetchHealth } from '@/lib/health';
import { HealthPanel } from './health-panel';

export default async function Home() {
  // Health is read per request, never baked in at build time.
  await connection();
  const [health, account] = await Promise.all([fetchHealth(), currentAccount().catch(() => undefined)]);
  return (
    <div className="stack">
      <h1>Paddock</h1>
      <p className="lede">Host your sites: push code, get a URL, scale when you need to.</p>
      <p className="row-form">
        {account ? (
          <Link href="/sites" className="button">Go to your sites</Link>
        ) : (
          <>
            <Link href="/signup" className="button">Sign up</Link>
            <Link href="/login" className="button button-secondary">Log in</Link>
          </>
        )}
      </p>
      <HealthPanel health={health} />
    </div>
  );
}
