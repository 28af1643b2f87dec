// Home: what Paddock is, and whether its API is healthy right now.
import { connection } from 'next/server';
import { fetchHealth } from '@/lib/health';
import { HealthPanel } from './health-panel';

export default async function Home() {
  // Health is read per request, never baked in at build time.
  await connection();
  const health = await fetchHealth();
  return (
    <div className="stack">
      <h1>Paddock</h1>
      <p className="lede">Host your sites: push code, get a URL, scale when you need to.</p>
      <HealthPanel health={health} />
    </div>
  );
}
