// The operator area: only for operator accounts (the API checks too; this keeps others out of the pages).
import type { ReactNode } from 'react';
import { NavLinks } from '@/app/ui/nav-links';
import { notFound } from 'next/navigation';
import { currentAccount } from '@/lib/accounts';

export default async function AdminLayout({ children }: { children: ReactNode }) {
  const account = await currentAccount();
  // Not-found rather than forbidden: the admin area does not advertise itself.
  if (!account?.operator) notFound();
  return (
    <div className="stack">
      <nav aria-label="Admin" className="chips">
        <NavLinks links={[{ href: '/admin/sites', label: 'Sites' }, { href: '/admin/orgs', label: 'Organisations' }, { href: '/admin/audit', label: 'Audit log' }]} />
      </nav>
      {children}
    </div>
  );
}
