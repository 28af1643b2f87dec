// The operator area: only for operator accounts (the API checks too; this keeps others out of the pages).
// Each list page shows the area's tabs (AdminTabs); a site's page a breadcrumb trail instead.
import type { ReactNode } from 'react';
import { notFound } from 'next/navigation';
import { currentAccount } from '@/lib/accounts';

export default async function AdminLayout({ children }: { children: ReactNode }) {
  const account = await currentAccount();
  // Not-found rather than forbidden: the admin area does not advertise itself.
  if (!account?.operator) notFound();
  return (
    <div className="stack">
      {children}
    </div>
  );
}
