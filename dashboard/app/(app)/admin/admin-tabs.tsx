// The admin area's sections, at the top of each of its lists (a site's own admin page has a
// breadcrumb trail back instead).
import { NavLinks } from '@/app/ui/nav-links';

export function AdminTabs() {
  return (
    <nav aria-label="Admin" className="chips">
      <NavLinks links={[{ href: '/admin/sites', label: 'Sites' }, { href: '/admin/orgs', label: 'Organisations' }, { href: '/admin/audit', label: 'Audit log' }]} />
    </nav>
  );
}
