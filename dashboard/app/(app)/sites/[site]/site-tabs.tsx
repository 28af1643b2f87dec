// The sections of a site's pages, as links (each section is its own URL).
import type { Route } from 'next';
import { NavLinks } from '@/app/ui/nav-links';

export function SiteTabs({ site }: { site: string }) {
  const base = `/sites/${encodeURIComponent(site)}`;
  return (
    <nav aria-label={`Site ${site}`} className="chips tabs">
      <NavLinks exact links={[
        { href: base as Route, label: 'Overview' },
        { href: `${base}/deploys` as Route, label: 'Deploys' },
        { href: `${base}/env` as Route, label: 'Environment' },
        { href: `${base}/domains` as Route, label: 'Domains' },
        { href: `${base}/database` as Route, label: 'Database and cache' },
        { href: `${base}/logs` as Route, label: 'Logs' },
        { href: `${base}/metrics` as Route, label: 'Metrics' },
      ]} />
    </nav>
  );
}
