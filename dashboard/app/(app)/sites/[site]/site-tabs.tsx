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
      ]} />
    </nav>
  );
}
