// Where a page sits: the pages above it, as links, above its heading (the heading names the page
// itself, so the trail ends at its parent, with no separator left hanging).
import Link from 'next/link';
import type { Route } from 'next';

export function Breadcrumbs({ trail }: { trail: { href: Route; label: string }[] }) {
  return (
    <nav aria-label="Breadcrumb" className="crumbs">
      <ol>
        {trail.map((c) => <li key={c.href}><Link href={c.href}>{c.label}</Link></li>)}
      </ol>
    </nav>
  );
}

/** The trail of a site's sections: Sites / <site>. */
export function SiteCrumbs({ site }: { site: string }) {
  return <Breadcrumbs trail={[{ href: '/sites', label: 'Sites' }, { href: `/sites/${encodeURIComponent(site)}` as Route, label: site }]} />;
}
