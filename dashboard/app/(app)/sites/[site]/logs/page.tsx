// A site's live logs: its app's output, edge access lines and build/release lines.
import type { Metadata } from 'next';
import { requireToken } from '@/lib/guard';
import { LiveLog } from '@/app/ui/live-log';
import { SiteCrumbs } from '@/app/ui/breadcrumbs';
import { SiteTabs } from '../site-tabs';

export async function generateMetadata({ params }: PageProps<'/sites/[site]/logs'>): Promise<Metadata> {
  return { title: `Logs · ${decodeURIComponent((await params).site)}` };
}

export default async function LogsPage({ params }: PageProps<'/sites/[site]/logs'>) {
  await requireToken();
  const name = decodeURIComponent((await params).site);
  return (
    <div className="stack">
      <SiteCrumbs site={name} />
      <h1>Logs</h1>
      <SiteTabs site={name} />
      <LiveLog src={`/sites/${encodeURIComponent(name)}/logs/stream`} />
    </div>
  );
}
