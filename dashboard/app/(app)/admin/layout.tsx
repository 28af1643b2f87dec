// The operator area: only for operator accounts (the API checks too; this keeps others out of the pages).
import type { ReactNode } from 'react';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { currentAccount } from '@/lib/accounts';

export default async function AdminLayout({ children }: { children: ReactNode }) {
  const account = await currentAccount();
  // Not-found rather than forbidden: the admin area does not advertise itself.
  if (!account?.operator) notFound();
  return (
    <div className="stack">
      <nav aria-label="Admin" className="chips">
        <Link href="/admin/orgs">Organisations</Link>
        <Link href="/admin/sites">Sites</Link>
        <Link href="/admin/audit">Audit log</Link>
      </nav>
      {children}
    </div>
  );
}
