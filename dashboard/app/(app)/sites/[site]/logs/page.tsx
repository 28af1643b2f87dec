// A site's live logs: its app's output, edge access lines and build/release lines.
import type { Metadata } from 'next';
import Link from 'next/link';
import { requireToken } from '@/lib/guard';
import { LiveLog } from '@/app/ui/live-log';
import { SiteTabs } from '../site-tabs';

export async function generateMetadata({ params }: PageProps<'/sites/[site]/logs'>): Promise<Metadata> {
  return { title: `Logs · ${decodeURIComponent((await params).site)}` };
}

export default async function LogsPage({ params }: PageProps<'/sites/[site]/logs'>) {
  await requireToken();
  const name = decodeURIComponent((await params).site);
  return (
    <div className="stack">
      <p className="crumbs"><Link href="/sites">Sites</Link> / <Link href={`/sites/${encodeURIComponent(name)}`}>{name}</Link> /</p>
      <h1>Logs</h1>
      <SiteTabs site={name} />
      <LiveLog src={`/sites/${encodeURIComponent(name)}/logs/stream`} />
    </div>
  );
}
